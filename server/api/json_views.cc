#include "server/api/json_views.h"

#include "server/auth/permissions.h"
#include "server/crypto/algorithm.h"

namespace kms {

Json KeyRingJson(const KeyRingRecord& ring, int64_t default_destroy_wait) {
  Json j = Json::Object();
  j.Set("name", ring.name);
  j.Set("destroy_wait_seconds", ring.destroy_wait_seconds >= 0
                                    ? ring.destroy_wait_seconds
                                    : default_destroy_wait);
  j.Set("allow_import", ring.allow_import);
  j.Set("created_at", ring.created_at);
  return j;
}

Json VersionJson(const KeyVersionRecord& v) {
  Json j = Json::Object();
  j.Set("version", v.version);
  j.Set("state", VersionStateName(v.state));
  j.Set("created_at", v.created_at);
  j.Set("destroy_at", v.destroy_at);
  j.Set("destroyed_at", v.destroyed_at);
  if (!v.public_key_der.empty() && v.state != VersionState::kDestroyed) {
    j.SetBase64("public_key", View(v.public_key_der));
  }
  return j;
}

Json KeyJson(const KeyRecord& key,
             const std::vector<KeyVersionRecord>& versions) {
  Json j = Json::Object();
  j.Set("id", key.id);
  j.Set("key_ring", key.key_ring);
  j.Set("label", key.label);
  j.Set("algorithm", key.algorithm);
  j.SetStrings("usages", UsageNames(key.usages));
  j.Set("rotation_period_seconds", key.rotation_period_seconds);
  j.Set("next_rotation_at", key.next_rotation_at);
  j.Set("exportable", key.exportable);
  j.Set("imported", key.imported);
  j.Set("deleted", key.deleted);
  j.Set("primary_version", key.primary_version);
  j.Set("created_at", key.created_at);
  Json list = Json::Array();
  for (const auto& v : versions) list.Append(VersionJson(v));
  j.Set("versions", std::move(list));
  return j;
}

Json ObjectJson(const ObjectRecord& o) {
  Json j = Json::Object();
  j.Set("id", o.id);
  j.Set("key_ring", o.key_ring);
  j.Set("class", o.object_class);
  j.Set("label", o.label);
  j.SetBase64("ck_id", View(o.ck_id));
  j.SetBase64("value", View(o.value));
  auto attributes = Json::Parse(o.attributes_json.empty() ? "{}"
                                                          : o.attributes_json);
  j.Set("attributes", attributes.ok() ? std::move(attributes).value()
                                      : Json::Object());
  j.Set("created_at", o.created_at);
  return j;
}

Json GrantJson(const GrantRecord& g) {
  Json j = Json::Object();
  j.Set("client", g.client);
  j.Set("key_ring", g.key_ring);
  j.SetStrings("permissions", PermissionNames(g.permissions));
  return j;
}

Json ClientJson(const ClientRecord& c, const std::vector<GrantRecord>& grants) {
  Json j = Json::Object();
  j.Set("name", c.name);
  j.Set("role", c.role);
  j.Set("cert_fingerprint", c.cert_fingerprint);
  j.Set("cert_subject", c.cert_subject);
  j.Set("created_at", c.created_at);
  Json list = Json::Array();
  for (const auto& g : grants) list.Append(GrantJson(g));
  j.Set("grants", std::move(list));
  return j;
}

Json AuditJson(const AuditRecord& r) {
  Json j = Json::Object();
  j.Set("seq", r.seq);
  j.Set("time", r.time);
  j.Set("request_id", r.request_id);
  j.Set("client", r.client);
  j.Set("operation", r.operation);
  j.Set("key_ring", r.key_ring);
  j.Set("key_id", r.key_id);
  j.Set("version", r.version);
  j.Set("result", r.result);
  j.Set("detail", r.detail);
  j.SetBase64("mac", View(r.mac));
  return j;
}

}  // namespace kms
