#include "module/objects/object_cache.h"

#include <chrono>
#include <set>

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

// Certificates, data objects and stored public keys (stored_object.cc);
// every other object in objects_ belongs to a key.
bool IsStored(const P11Object& o) {
  const std::string& id = o.identity();
  return id.starts_with("object/") || id.starts_with("session-object/");
}

bool HasLabel(const P11Object& o, const std::string& label) {
  const Bytes* value = o.Find(CKA_LABEL);
  return value != nullptr && std::string(value->begin(), value->end()) == label;
}

// What an older version's CKA_ID or CKA_LABEL ("<x>:v<n>") was made from:
// the key id or label ("" if `text` has no version suffix).
std::string WithoutVersion(const std::string& text) {
  size_t v = text.rfind(":v");
  if (v == std::string::npos || v + 2 >= text.size() ||
      text.find_first_not_of("0123456789", v + 2) != std::string::npos) {
    return "";
  }
  return text.substr(0, v);
}

}  // namespace

ObjectCache::ObjectCache(RingAuth* auth, int64_t ttl_ms,
                         std::atomic<CK_OBJECT_HANDLE>* next_handle)
    : auth_(auth), ttl_ms_(ttl_ms), next_handle_(next_handle) {}

void ObjectCache::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  fetched_at_ = -1;
  key_checked_at_.clear();
  query_checked_at_.clear();
}

void ObjectCache::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  objects_.clear();
  fetched_at_ = -1;
  key_checked_at_.clear();
  query_checked_at_.clear();
}

bool ObjectCache::ListingFreshLocked(bool logged_in) const {
  return fetched_at_ >= 0 && fetched_logged_in_ == logged_in &&
         SteadyMillis() - fetched_at_ < ttl_ms_;
}

template <typename Pred>
void ObjectCache::MergeLocked(std::vector<std::shared_ptr<P11Object>> fresh,
                              Pred stale) {
  std::erase_if(objects_, [&](const auto& e) { return stale(*e.second); });
  for (auto& o : fresh) {
    if (session_keys_.count(o->key_id()) > 0) o->SetBool(CKA_TOKEN, false);
    auto [it, inserted] = handles_.try_emplace(o->identity(), 0);
    if (inserted) it->second = next_handle_->fetch_add(1);
    objects_[it->second] = std::move(o);
  }
}

CkResult<bool> ObjectCache::FetchMatching(
    const std::optional<std::string>& label,
    const std::optional<Bytes>& ck_id) {
  std::lock_guard<std::mutex> fetch_lock(fetch_mu_);
  const bool logged_in = auth_->logged_in();
  std::string query = logged_in ? "1" : "0";
  if (label) query += "label:" + *label;
  if (ck_id) query += "\n" + std::string(ck_id->begin(), ck_id->end());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ListingFreshLocked(logged_in)) return true;
    auto it = query_checked_at_.find(query);
    if (it != query_checked_at_.end() &&
        SteadyMillis() - it->second < ttl_ms_) {
      return true;
    }
  }
  auto call = [&](const std::string& path) {
    return logged_in ? auth_->Call("GET", path)
                     : auth_->CallAnonymous("GET", path);
  };
  const std::string ring = "/v1/keyrings/" + UrlEncode(auth_->key_ring());
  std::map<std::string, std::pair<std::string, Bytes>> aliases;
  std::vector<std::shared_ptr<P11Object>> fresh;
  std::set<std::string> key_ids;  // every key whose objects `fresh` has
  auto add_key = [&](const cJSON* key) -> CkStatus {
    const cJSON* id = cJSON_GetObjectItemCaseSensitive(key, "id");
    if (!cJSON_IsString(id)) return CkStatus::Ok();
    key_ids.insert(id->valuestring);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(key, "deleted"))) {
      return CkStatus::Ok();
    }
    CK_ASSIGN_OR_RETURN(auto objects, ObjectsForKey(key));
    for (auto& o : objects) fresh.push_back(std::move(o));
    return CkStatus::Ok();
  };
  auto fetch = [&]() -> CkResult<bool> {
    CK_ASSIGN_OR_RETURN(Json listed, call(ring + "/objects"));
    std::vector<std::shared_ptr<P11Object>> stored;
    ReadStoredObjects(listed, &aliases, &stored);
    std::string key_id;
    if (ck_id) {
      // A key's CKA_ID is its id unless an alias gives it the
      // application's ("<CKA_ID>" or "<CKA_ID>:v<n>"): only the full
      // listing finds the key then.
      std::string wanted(ck_id->begin(), ck_id->end());
      for (const auto& [unused, alias] : aliases) {
        if (!alias.second.empty() &&
            wanted.starts_with(
                std::string(alias.second.begin(), alias.second.end()))) {
          return false;
        }
      }
      key_id = WithoutVersion(wanted);
      if (key_id.empty()) key_id = wanted;
      if (key_id.empty()) return false;
    }
    // An older version's label is "<label>:v<n>".
    std::vector<std::string> labels;
    if (label) labels.push_back(*label);
    if (label && !WithoutVersion(*label).empty()) {
      labels.push_back(WithoutVersion(*label));
    }
    for (const auto& listed_label : labels) {
      std::string after;
      const std::string base =
          ring + "/keys?limit=100&label=" + UrlEncode(listed_label);
      for (int page = 0; page < 1000; ++page) {
        CK_ASSIGN_OR_RETURN(
            Json reply,
            call(base + (after.empty() ? "" : "&after=" + UrlEncode(after))));
        const cJSON* keys =
            cJSON_GetObjectItemCaseSensitive(reply.get(), "keys");
        const cJSON* key = nullptr;
        cJSON_ArrayForEach(key, keys) {
          const cJSON* id = cJSON_GetObjectItemCaseSensitive(key, "id");
          if (!key_id.empty() &&
              !(cJSON_IsString(id) && key_id == id->valuestring)) {
            continue;
          }
          CK_RETURN_IF_ERROR(add_key(key));
        }
        const cJSON* next =
            cJSON_GetObjectItemCaseSensitive(reply.get(), "next_after");
        if (!cJSON_IsString(next) || next->valuestring[0] == '\0') break;
        after = next->valuestring;
      }
    }
    if (label) {
      if (!key_id.empty()) key_ids.insert(key_id);
    } else {
      auto key = call(ring + "/keys/" + UrlEncode(key_id));
      if (key.ok()) {
        CK_RETURN_IF_ERROR(add_key(key->get()));
      } else if (key.status().rv() != CKR_KEY_HANDLE_INVALID) {
        return false;  // e.g. no key id at all: let the listing answer
      }
      key_ids.insert(key_id);
    }
    for (auto& o : fresh) {
      auto alias = aliases.find(o->key_id());
      if (alias != aliases.end()) ApplyCkId(*o, alias->second.second);
    }
    for (auto& o : stored) fresh.push_back(std::move(o));
    return true;
  };
  CkResult<bool> fetched = fetch();
  if (!fetched.ok()) {
    if (logged_in) return fetched.status();
    // As for the full listing: no public objects rather than an error.
    KMS_LOG(kInfo) << "public objects not listed: "
                   << fetched.status().message();
    return true;
  }
  if (!*fetched) return false;
  std::lock_guard<std::mutex> lock(mu_);
  alias_objects_.clear();
  alias_ck_ids_.clear();
  for (auto& [key_id, alias] : aliases) {
    alias_objects_[key_id] = alias.first;
    alias_ck_ids_[key_id] = std::move(alias.second);
  }
  MergeLocked(std::move(fresh), [&](const P11Object& o) {
    return IsStored(o) || key_ids.count(o.key_id()) > 0 ||
           (label && HasLabel(o, *label));
  });
  const int64_t now = SteadyMillis();
  for (const auto& id : key_ids) key_checked_at_[id] = now;
  std::erase_if(query_checked_at_,
                [&](const auto& e) { return now - e.second >= ttl_ms_; });
  query_checked_at_[query] = now;
  return true;
}

CkStatus ObjectCache::RefreshKey(const std::string& key_id) {
  const bool logged_in = auth_->logged_in();
  const std::string path = "/v1/keyrings/" + UrlEncode(auth_->key_ring()) +
                           "/keys/" + UrlEncode(key_id);
  auto key =
      logged_in ? auth_->Call("GET", path) : auth_->CallAnonymous("GET", path);
  std::vector<std::shared_ptr<P11Object>> fresh;
  if (key.ok()) {
    if (!cJSON_IsTrue(
            cJSON_GetObjectItemCaseSensitive(key->get(), "deleted"))) {
      CK_ASSIGN_OR_RETURN(fresh, ObjectsForKey(key->get()));
    }
  } else if (key.status().rv() != CKR_KEY_HANDLE_INVALID) {
    return key.status();
  }
  std::lock_guard<std::mutex> lock(mu_);
  // The CKA_ID the key shows now (this module may have changed its alias
  // since the last listing).
  std::optional<Bytes> ck_id;
  for (const auto& [handle, o] : objects_) {
    const Bytes* id = o->Find(CKA_ID);
    if (!IsStored(*o) && o->key_id() == key_id && o->version() == 0 &&
        id != nullptr) {
      ck_id = *id;
      break;
    }
  }
  if (auto alias = alias_ck_ids_.find(key_id);
      !ck_id && alias != alias_ck_ids_.end()) {
    ck_id = alias->second;
  }
  for (auto& o : fresh) {
    if (ck_id) ApplyCkId(*o, *ck_id);
  }
  MergeLocked(std::move(fresh), [&](const P11Object& o) {
    return !IsStored(o) && o.key_id() == key_id;
  });
  key_checked_at_[key_id] = SteadyMillis();
  return CkStatus::Ok();
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
  alias_ck_ids_.clear();
  key_checked_at_.clear();
  query_checked_at_.clear();
  for (const auto& [key_id, alias] : aliases) {
    alias_objects_[key_id] = alias.first;
    alias_ck_ids_[key_id] = alias.second;
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
    key_checked_at_[o->key_id()] = SteadyMillis();
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
    if (ListingFreshLocked(logged_in)) return CkStatus::Ok();
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
  std::optional<std::string> label;
  std::optional<Bytes> ck_id;
  for (const auto& a : criteria) {
    if (a.type == CKA_LABEL) label.emplace(a.value.begin(), a.value.end());
    if (a.type == CKA_ID && !a.value.empty()) ck_id = a.value;
  }
  bool answered = false;
  if (label || ck_id) {
    CK_ASSIGN_OR_RETURN(answered, FetchMatching(label, ck_id));
  }
  if (!answered) CK_RETURN_IF_ERROR(RefreshIfStale());
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
  // An object found without the full listing is checked on its own.
  std::string key_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(handle);
    if (it != objects_.end() && !IsStored(*it->second) &&
        !ListingFreshLocked(auth_->logged_in())) {
      auto checked = key_checked_at_.find(it->second->key_id());
      if (checked == key_checked_at_.end() ||
          SteadyMillis() - checked->second >= ttl_ms_) {
        key_id = it->second->key_id();
      }
    }
    if (it != objects_.end() && key_id.empty()) return it->second;
    if (auto local = locals_.find(handle); local != locals_.end()) {
      return local->second;
    }
  }
  CkStatus refreshed = key_id.empty() ? RefreshIfStale() : RefreshKey(key_id);
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
