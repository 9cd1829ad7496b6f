#include "tests/storage/store_test_fixture.h"

#include <stdlib.h>

#include <filesystem>

namespace kms {

std::vector<StoreBackend> AllStoreBackends() {
  return {
      StoreBackend{"sqlite",
                   [](const std::string& location) {
                     return OpenSqliteStore(location + "/kms.db");
                   }},
  };
}

void StoreTest::SetUp() {
  const char* tmp = getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
      "/kms_storage_test.XXXXXX";
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  root_ = pattern;
  location_ = NewLocation();
  KMS_ASSERT_OK_AND_ASSIGN(store_, OpenAt(location_));
}

void StoreTest::TearDown() {
  store_.reset();
  if (!root_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
}

std::string StoreTest::NewLocation() {
  std::string location = root_ + "/store" + std::to_string(locations_++);
  std::filesystem::create_directory(location);
  return location;
}

void StoreTest::Reopen() {
  store_.reset();
  KMS_ASSERT_OK_AND_ASSIGN(store_, OpenAt(location_));
}

KeyRingRecord MakeRing(const std::string& name) {
  KeyRingRecord ring;
  ring.name = name;
  ring.destroy_wait_seconds = 86400;
  ring.allow_import = true;
  ring.created_at = 1700000000123;
  return ring;
}

KeyRecord MakeKey(const std::string& key_ring, const std::string& id,
                  const std::string& label) {
  KeyRecord key;
  key.key_ring = key_ring;
  key.id = id;
  key.label = label;
  key.algorithm = "EC_P256";
  key.usages = 0x80000005u;  // high bit: catches signed truncation
  key.rotation_period_seconds = 0;
  key.next_rotation_at = 0;
  key.exportable = true;
  key.imported = true;
  key.primary_version = 1;
  key.created_at = 1700000000456;
  key.deleted = false;
  return key;
}

KeyVersionRecord MakeVersion(const std::string& key_ring,
                             const std::string& key_id, int version) {
  KeyVersionRecord record;
  record.key_ring = key_ring;
  record.key_id = key_id;
  record.version = version;
  record.state = VersionState::kEnabled;
  record.state_before_destroy = VersionState::kDisabled;
  // Embedded zero bytes: blobs must not be treated as C strings.
  record.sealed_material = {0x00, 0x01, 0xfe, 0x00,
                            static_cast<uint8_t>(version)};
  record.public_key_der = {0x30, 0x00, 0x59};
  record.created_at = 1700000000789 + version;
  record.destroy_at = 0;
  record.destroyed_at = 0;
  return record;
}

ObjectRecord MakeObject(const std::string& key_ring, const std::string& id) {
  ObjectRecord object;
  object.key_ring = key_ring;
  object.id = id;
  object.object_class = "certificate";
  object.label = "cert " + id;
  object.ck_id = {0x01, 0x00, 0x02};
  object.value = {0x30, 0x82, 0x00, 0x10};
  object.attributes_json = R"({"CKA_TRUSTED":true})";
  object.created_at = 1700000001000;
  return object;
}

ClientRecord MakeClient(const std::string& name, const std::string& fingerprint,
                        const std::string& subject) {
  ClientRecord client;
  client.name = name;
  client.role = "application";
  client.cert_fingerprint = fingerprint;
  client.cert_subject = subject;
  client.created_at = 1700000002000;
  return client;
}

AuditRecord MakeAudit(int64_t seq) {
  AuditRecord record;
  record.seq = seq;
  record.time = 1700000003000 + seq;
  record.request_id = "req-" + std::to_string(seq);
  record.client = "app";
  record.operation = "sign";
  record.key_ring = "ring";
  record.key_id = "k1";
  record.version = 2;
  record.result = "OK";
  record.detail = "digest=sha256";
  record.mac = Bytes(32, static_cast<uint8_t>(seq));
  record.mac[0] = 0x00;
  return record;
}

void ExpectSameKey(const KeyRecord& expected, const KeyRecord& actual) {
  EXPECT_EQ(actual.key_ring, expected.key_ring);
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.label, expected.label);
  EXPECT_EQ(actual.algorithm, expected.algorithm);
  EXPECT_EQ(actual.usages, expected.usages);
  EXPECT_EQ(actual.rotation_period_seconds, expected.rotation_period_seconds);
  EXPECT_EQ(actual.next_rotation_at, expected.next_rotation_at);
  EXPECT_EQ(actual.exportable, expected.exportable);
  EXPECT_EQ(actual.imported, expected.imported);
  EXPECT_EQ(actual.primary_version, expected.primary_version);
  EXPECT_EQ(actual.created_at, expected.created_at);
  EXPECT_EQ(actual.deleted, expected.deleted);
}

void ExpectSameVersion(const KeyVersionRecord& expected,
                       const KeyVersionRecord& actual) {
  EXPECT_EQ(actual.key_ring, expected.key_ring);
  EXPECT_EQ(actual.key_id, expected.key_id);
  EXPECT_EQ(actual.version, expected.version);
  EXPECT_EQ(actual.state, expected.state);
  EXPECT_EQ(actual.state_before_destroy, expected.state_before_destroy);
  EXPECT_EQ(actual.sealed_material, expected.sealed_material);
  EXPECT_EQ(actual.public_key_der, expected.public_key_der);
  EXPECT_EQ(actual.created_at, expected.created_at);
  EXPECT_EQ(actual.destroy_at, expected.destroy_at);
  EXPECT_EQ(actual.destroyed_at, expected.destroyed_at);
}

void ExpectSameAudit(const AuditRecord& expected, const AuditRecord& actual) {
  EXPECT_EQ(actual.seq, expected.seq);
  EXPECT_EQ(actual.time, expected.time);
  EXPECT_EQ(actual.request_id, expected.request_id);
  EXPECT_EQ(actual.client, expected.client);
  EXPECT_EQ(actual.operation, expected.operation);
  EXPECT_EQ(actual.key_ring, expected.key_ring);
  EXPECT_EQ(actual.key_id, expected.key_id);
  EXPECT_EQ(actual.version, expected.version);
  EXPECT_EQ(actual.result, expected.result);
  EXPECT_EQ(actual.detail, expected.detail);
  EXPECT_EQ(actual.mac, expected.mac);
}

}  // namespace kms
