// Records as the JSON objects of docs/api.md.
#ifndef KMS_SERVER_API_JSON_VIEWS_H_
#define KMS_SERVER_API_JSON_VIEWS_H_

#include <vector>

#include "common/json.h"
#include "server/storage/records.h"

namespace kms {

Json KeyRingJson(const KeyRingRecord& ring, int64_t default_destroy_wait);
Json VersionJson(const KeyVersionRecord& version);
Json KeyJson(const KeyRecord& key,
             const std::vector<KeyVersionRecord>& versions);
Json ObjectJson(const ObjectRecord& object);
Json ClientJson(const ClientRecord& client,
                const std::vector<GrantRecord>& grants);
Json GrantJson(const GrantRecord& grant);
Json AuditJson(const AuditRecord& record);

}  // namespace kms

#endif  // KMS_SERVER_API_JSON_VIEWS_H_
