// The objects of one token (key ring), fetched from kmsd and kept for the
// configured time-to-live, so that keys created elsewhere appear without a
// restart. Handles are stable: an object keeps its handle across refreshes
// for as long as it exists (the primary-version objects of a key keep theirs
// across rotation). Thread-safe.
#ifndef KMS_MODULE_OBJECTS_OBJECT_CACHE_H_
#define KMS_MODULE_OBJECTS_OBJECT_CACHE_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "module/base/ck_status.h"
#include "module/client/ring_auth.h"
#include "module/objects/attribute_template.h"
#include "module/objects/object.h"

namespace kms::p11 {

class ObjectCache {
 public:
  // next_handle is shared by all tokens so that handles are unique.
  ObjectCache(RingAuth* auth, int64_t ttl_ms,
              std::atomic<CK_OBJECT_HANDLE>* next_handle);

  // Handles of the objects matching `criteria`. Refreshes a stale cache.
  // Before login the list is fetched without a token (kmsd then shows only
  // public objects) and private objects are left out. A template with
  // CKA_LABEL or CKA_ID fetches only the keys it can match (and the stored
  // objects) unless the whole key ring is cached: a large key ring is never
  // listed for it.
  CkResult<std::vector<CK_OBJECT_HANDLE>> Find(const AttributeList& criteria);
  // CKR_OBJECT_HANDLE_INVALID for an unknown handle.
  CkResult<std::shared_ptr<const P11Object>> Get(CK_OBJECT_HANDLE handle);
  // The next lookup fetches from the server.
  void Invalidate();
  // Forgets every object (logout); handles stay reserved.
  void Clear();

  // Adds objects just created on the server (no refetch) and returns their
  // handles, in order.
  std::vector<CK_OBJECT_HANDLE> Insert(
      const std::vector<std::shared_ptr<P11Object>>& objects);
  // Removes every object of a key (or the object) with this server id at
  // once, for every session.
  void Evict(const std::string& server_id);
  // Session certificates, data objects and public keys: kept here only,
  // across refreshes, until removed.
  CK_OBJECT_HANDLE InsertLocal(std::shared_ptr<P11Object> object);
  void RemoveLocal(CK_OBJECT_HANDLE handle);
  // Session keys show CKA_TOKEN=FALSE across refreshes.
  void MarkSessionKey(const std::string& key_id);
  void UnmarkSessionKey(const std::string& key_id);
  // The alias object that holds the application's CKA_ID of a key ("").
  std::string AliasObjectFor(const std::string& key_id);
  void SetAliasObject(const std::string& key_id, const std::string& object_id);

 private:
  CkStatus RefreshIfStale();
  CkStatus Fetch();
  // The whole key ring was listed within the TTL (as the current login
  // state shows it). Needs mu_.
  bool ListingFreshLocked(bool logged_in) const;
  // Fetches the keys that can match a template with this CKA_LABEL and/or
  // CKA_ID, and the stored objects. False: the CKA_ID may be an
  // application's (alias), so only the full listing can answer.
  CkResult<bool> FetchMatching(const std::optional<std::string>& label,
                               const std::optional<Bytes>& ck_id);
  // Refetches one key (GET .../keys/{id}); a missing or deleted key loses
  // its objects.
  CkStatus RefreshKey(const std::string& key_id);
  // Replaces the objects `stale` selects with `fresh`. Needs mu_.
  template <typename Pred>
  void MergeLocked(std::vector<std::shared_ptr<P11Object>> fresh, Pred stale);
  // The reply of GET .../objects: aliases (key id -> {alias object id,
  // CKA_ID}) and the stored objects (certificates, data, public keys).
  static void ReadStoredObjects(
      const Json& reply,
      std::map<std::string, std::pair<std::string, Bytes>>* aliases,
      std::vector<std::shared_ptr<P11Object>>* stored);

  RingAuth* auth_;
  int64_t ttl_ms_;
  std::atomic<CK_OBJECT_HANDLE>* next_handle_;
  std::mutex mu_;
  std::mutex fetch_mu_;             // one fetch at a time
  int64_t fetched_at_ = -1;         // steady ms; -1 = never / invalidated
  bool fetched_logged_in_ = false;  // the list holds private objects
  std::map<std::string, CK_OBJECT_HANDLE> handles_;  // identity -> handle
  std::map<CK_OBJECT_HANDLE, std::shared_ptr<const P11Object>> objects_;
  std::map<CK_OBJECT_HANDLE, std::shared_ptr<const P11Object>> locals_;
  std::set<std::string> session_keys_;
  std::map<std::string, std::string> alias_objects_;  // key id -> object id
  std::map<std::string, Bytes> alias_ck_ids_;         // key id -> CKA_ID
  // Without a fresh full listing: when a key's objects, or the answer to a
  // find by label/id, were last fetched (steady ms). Cleared on login.
  std::map<std::string, int64_t> key_checked_at_;
  std::map<std::string, int64_t> query_checked_at_;
};

}  // namespace kms::p11

#endif  // KMS_MODULE_OBJECTS_OBJECT_CACHE_H_
