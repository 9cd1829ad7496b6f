// Group commit for the SQLite store. The connection commits without syncing
// (synchronous=NORMAL in WAL mode: the commit is in the WAL, in the page
// cache), and writers then wait here for one fdatasync of the WAL that began
// after their commit. Writers that commit while a sync is running share the
// next one, so concurrent writes cost one disk sync together instead of one
// each, and the store's lock is not held while the disk works.
//
// A reader may see a commit before its sync has ended. Anything it does with
// what it read and gets acknowledged (a signature, with its audit record) is
// written to the WAL after that commit, so the sync that makes it durable
// makes the commit durable too.
//
// A failed sync is sticky: a page cache that could not be written may have
// been dropped, so nothing later can be promised durable (fail closed until
// kmsd restarts and recovers from the WAL).
#ifndef KMS_SERVER_STORAGE_WAL_SYNC_H_
#define KMS_SERVER_STORAGE_WAL_SYNC_H_

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include "common/status.h"

namespace kms {

class WalSync {
 public:
  // wal_path: the database's "-wal" file.
  explicit WalSync(std::string wal_path) : wal_path_(std::move(wal_path)) {}
  ~WalSync();
  WalSync(const WalSync&) = delete;
  WalSync& operator=(const WalSync&) = delete;

  // Returns once everything committed before the call is on disk.
  Status WaitDurable();

 private:
  // One fdatasync of the WAL, reopening it if SQLite recreated the file.
  Status SyncOnce();

  const std::string wal_path_;
  std::mutex mu_;
  std::condition_variable done_;
  uint64_t started_ = 0;   // syncs begun
  uint64_t finished_ = 0;  // the last sync that ended
  bool running_ = false;
  Status failed_;
  // Touched only by the thread running a sync.
  int fd_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

}  // namespace kms

#endif  // KMS_SERVER_STORAGE_WAL_SYNC_H_
