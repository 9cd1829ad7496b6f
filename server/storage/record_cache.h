// A bounded, thread-safe map from a string key to a copy of a record, for
// CachingStore. Reads fill it after going to the database without holding
// its lock, so a fill could race a change: every change bumps a generation,
// and a fill computed before that bump is dropped instead of stored.
#ifndef KMS_SERVER_STORAGE_RECORD_CACHE_H_
#define KMS_SERVER_STORAGE_RECORD_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace kms {

template <typename Record>
class RecordCache {
 public:
  explicit RecordCache(size_t capacity) : capacity_(capacity) {}
  RecordCache(const RecordCache&) = delete;
  RecordCache& operator=(const RecordCache&) = delete;

  // A hit, or nullopt and the generation to pass to Fill.
  std::optional<Record> Find(const std::string& key, uint64_t* generation) {
    std::lock_guard<std::mutex> lock(mu_);
    *generation = generation_;
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }

  // Stores what was read from the database, unless anything changed since
  // Find handed out `generation`.
  void Fill(const std::string& key, const Record& record, uint64_t generation) {
    if (capacity_ == 0) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (generation != generation_) return;
    // Crude but bounded: a full cache starts over (hot entries come back on
    // their next read).
    if (entries_.size() >= capacity_) entries_.clear();
    entries_.insert_or_assign(key, record);
  }

  void Erase(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
    entries_.erase(key);
  }

  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
    entries_.clear();
  }

  size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  uint64_t generation_ = 0;
  std::unordered_map<std::string, Record> entries_;
};

}  // namespace kms

#endif  // KMS_SERVER_STORAGE_RECORD_CACHE_H_
