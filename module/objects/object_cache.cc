#include "module/objects/object_cache.h"

#include <chrono>

#include "common/encoding.h"
#include "common/logging.h"
#include "module/client/kms_client.h"
#include "module/objects/key_objects.h"
#include "module/objects/key_store.h"
#include "module/objects/stored_object.h"

namespace kms::p11 {
namespace {

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ObjectCache::ObjectCache(RingAuth* auth, int64_t ttl_ms,
                         std::atomic<CK_OBJECT_HANDLE>* next_handle)
    : auth_(auth), ttl_ms_(ttl_ms), next_handle_(next_handle) {}

void ObjectCache::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  fetched_at_ = -1;
}

void ObjectCache::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  objects_.clear();
  fetched_at_ = -1;
}

CkStatus ObjectCache::Fetch() {
  const bool logged_in = auth_->logged_in();
  auto call = [&](const std::string& path) {
    return logged_in ? auth_->Call("GET", path)
                     : auth_->CallAnonymous("GET", path);
  };
  std::vector<std::shared_ptr<P11Object>> fresh;
  std::string after;
  const std::string base =
      "/v1/keyrings/" + UrlEncode(auth_->key_ring()) + "/keys?limit=100";
  for (int page = 0; page < 1000; ++page) {
    std::string path =
        base + (after.empty() ? "" : "&after=" + UrlEncode(after));
    CK_ASSIGN_OR_RETURN(Json reply, call(path));
    const cJSON* keys = cJSON_GetObjectItemCaseSensitive(reply.get(), "keys");
    const cJSON* key = nullptr;
    cJSON_ArrayForEach(key, keys) {
      CK_ASSIGN_OR_RETURN(auto objects, ObjectsForKey(key));
      for (auto& o : objects) fresh.push_back(std::move(o));
    }
    const cJSON* next =
        cJSON_GetObjectItemCaseSensitive(reply.get(), "next_after");
    if (!cJSON_IsString(next) || next->valuestring[0] == '\0') break;
    after = next->valuestring;
  }
  std::map<std::string, std::pair<std::string, Bytes>> aliases;
  std::vector<std::shared_ptr<P11Object>> stored;
  CK_ASSIGN_OR_RETURN(
      Json reply,
      call("/v1/keyrings/" + UrlEncode(auth_->key_ring()) + "/objects"));
  ReadStoredObjects(reply, &aliases, &stored);
  for (auto& o : fresh) {
    auto alias = aliases.find(o->key_id());
    if (alias != aliases.end()) ApplyCkId(*o, alias->second.second);
  }
  for (auto& o : stored) fresh.push_back(std::move(o));
  std::lock_guard<std::mutex> lock(mu_);
  objects_.clear();
  alias_objects_.clear();
  for (const auto& [key_id, alias] : aliases) {
    alias_objects_[key_id] = alias.first;
  }
  for (auto& o : fresh) {
    if (session_keys_.count(o->key_id()) > 0) o->SetBool(CKA_TOKEN, false);
  }
  for (auto& o : fresh) {
    auto [it, inserted] = handles_.try_emplace(o->identity(), 0);
    if (inserted) it->second = next_handle_->fetch_add(1);
    objects_[it->second] = std::move(o);
  }
  fetched_at_ = SteadyMillis();
  fetched_logged_in_ = logged_in;
  KMS_LOG(kDebug) << "key ring " << auth_->key_ring() << ": " << objects_.size()
                  << " objects";
  return CkStatus::Ok();
}

void ObjectCache::ReadStoredObjects(
    const Json& reply,
    std::map<std::string, std::pair<std::string, Bytes>>* aliases,
    std::vector<std::shared_ptr<P11Object>>* stored) {
  const cJSON* objects =
      cJSON_GetObjectItemCaseSensitive(reply.get(), "objects");
  const cJSON* item = nullptr;
  cJSON_ArrayForEach(item, objects) {
    const cJSON* id = cJSON_GetObjectItemCaseSensitive(item, "id");
    if (!cJSON_IsString(id)) continue;
    std::string key_id = AliasKeyId(item);
    if (!key_id.empty()) {
      const cJSON* ck_id = cJSON_GetObjectItemCaseSensitive(item, "ck_id");
      auto bytes =
          Base64Decode(cJSON_IsString(ck_id) ? ck_id->valuestring : "");
      if (bytes.ok()) {
        (*aliases)[key_id] = {id->valuestring, std::move(bytes).value()};
      }
      continue;
    }
    // One unreadable object (e.g. stored by another tool) must not hide
    // the others.
    auto parsed = StoredObjectFromJson(item);
    auto object = parsed.ok()
                      ? MakeStoredObject(*parsed)
                      : CkResult<std::shared_ptr<P11Object>>(parsed.status());
    if (!object.ok()) {
      KMS_LOG(kInfo) << "object " << id->valuestring
                     << " not shown: " << object.status().message();
      continue;
    }
    stored->push_back(std::move(object).value());
  }
}

std::vector<CK_OBJECT_HANDLE> ObjectCache::Insert(
    const std::vector<std::shared_ptr<P11Object>>& objects) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CK_OBJECT_HANDLE> out;
  for (const auto& o : objects) {
    if (session_keys_.count(o->key_id()) > 0) o->SetBool(CKA_TOKEN, false);
    auto [it, inserted] = handles_.try_emplace(o->identity(), 0);
    if (inserted) it->second = next_handle_->fetch_add(1);
    objects_[it->second] = o;
    out.push_back(it->second);
  }
  return out;
}

CK_OBJECT_HANDLE ObjectCache::InsertLocal(std::shared_ptr<P11Object> object) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = handles_.try_emplace(object->identity(), 0);
  if (inserted) it->second = next_handle_->fetch_add(1);
  locals_[it->second] = std::move(object);
  return it->second;
}

void ObjectCache::RemoveLocal(CK_OBJECT_HANDLE handle) {
  std::lock_guard<std::mutex> lock(mu_);
  locals_.erase(handle);
}

void ObjectCache::SetAliasObject(const std::string& key_id,
                                 const std::string& object_id) {
  std::lock_guard<std::mutex> lock(mu_);
  alias_objects_[key_id] = object_id;
}

void ObjectCache::Evict(const std::string& server_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto same = [&](const auto& entry) {
    return entry.second->key_id() == server_id;
  };
  std::erase_if(objects_, same);
  std::erase_if(locals_, same);
  alias_objects_.erase(server_id);
  session_keys_.erase(server_id);
}

void ObjectCache::MarkSessionKey(const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  session_keys_.insert(key_id);
}

void ObjectCache::UnmarkSessionKey(const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  session_keys_.erase(key_id);
}

std::string ObjectCache::AliasObjectFor(const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = alias_objects_.find(key_id);
  return it == alias_objects_.end() ? "" : it->second;
}

CkStatus ObjectCache::RefreshIfStale() {
  std::lock_guard<std::mutex> fetch_lock(fetch_mu_);
  const bool logged_in = auth_->logged_in();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (fetched_at_ >= 0 && fetched_logged_in_ == logged_in &&
        SteadyMillis() - fetched_at_ < ttl_ms_) {
      return CkStatus::Ok();
    }
  }
  CkStatus fetched = Fetch();
  if (!fetched.ok() && !logged_in) {
    // Public objects are a convenience before login: a client without a
    // grant (or an older kmsd) simply shows none.
    KMS_LOG(kInfo) << "public objects not listed: " << fetched.message();
    std::lock_guard<std::mutex> lock(mu_);
    objects_.clear();
    fetched_at_ = SteadyMillis();
    fetched_logged_in_ = false;
    return CkStatus::Ok();
  }
  return fetched;
}

CkResult<std::vector<CK_OBJECT_HANDLE>> ObjectCache::Find(
    const AttributeList& criteria) {
  CK_RETURN_IF_ERROR(RefreshIfStale());
  const bool logged_in = auth_->logged_in();
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CK_OBJECT_HANDLE> out;
  for (const auto* objects : {&objects_, &locals_}) {
    for (const auto& [handle, object] : *objects) {
      if (object->is_private() && !logged_in) continue;
      if (Matches(*object, criteria)) out.push_back(handle);
    }
  }
  return out;
}

CkResult<std::shared_ptr<const P11Object>> ObjectCache::Get(
    CK_OBJECT_HANDLE handle) {
  CkStatus refreshed = RefreshIfStale();
  if (!refreshed.ok()) {
    // Serve the last known objects; the operation itself will report an
    // unreachable server.
    KMS_LOG(kInfo) << "object refresh failed: " << refreshed.message();
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto* objects : {&objects_, &locals_}) {
    auto it = objects->find(handle);
    if (it != objects->end()) return it->second;
  }
  return CkError(CKR_OBJECT_HANDLE_INVALID,
                 "no object " + std::to_string(handle));
}

}  // namespace kms::p11
