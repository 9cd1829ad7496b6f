#include "bench/options.h"

#include <stdlib.h>

#include "bench/operations.h"
#include "gtest/gtest.h"

namespace kms::bench {
namespace {

TEST(OperationsTest, CatalogueHasTheIssueOperations) {
  for (const char* name :
       {"rsa2048-pkcs1-sign", "rsa2048-pss-sign", "rsa3072-pkcs1-sign",
        "ecdsa-p256-sign", "ecdsa-p384-sign", "ed25519-sign",
        "aes256-gcm-encrypt-64", "aes256-gcm-encrypt-1k",
        "aes256-gcm-encrypt-64k", "aes256-gcm-encrypt-1m",
        "aes256-gcm-decrypt-64", "aes256-gcm-decrypt-1k",
        "aes256-gcm-decrypt-64k", "aes256-gcm-decrypt-1m",
        "rsa2048-oaep-decrypt", "ecdsa-p256-verify", "random-32",
        "find-by-label", "ec-p256-keygen"}) {
    Result<std::vector<OpSpec>> ops = ParseOps(name);
    ASSERT_TRUE(ops.ok()) << name;
    EXPECT_EQ(ops->at(0).name, name);
  }
  Result<std::vector<OpSpec>> one_k = ParseOps("aes256-gcm-decrypt-1m");
  ASSERT_TRUE(one_k.ok());
  EXPECT_EQ(one_k->at(0).data_size, 1024u * 1024u);
  EXPECT_EQ(one_k->at(0).kind, OpKind::kDecrypt);
  // The local half of RSA-OAEP: the public key encrypts.
  Result<std::vector<OpSpec>> oaep =
      ParseOps("rsa2048-oaep-encrypt,rsa2048-oaep-sha1-encrypt");
  ASSERT_TRUE(oaep.ok());
  EXPECT_EQ(oaep->at(0).kind, OpKind::kEncrypt);
  EXPECT_EQ(oaep->at(0).scheme, Scheme::kRsaOaepSha256);
  EXPECT_EQ(oaep->at(1).scheme, Scheme::kRsaOaepSha1);
  EXPECT_EQ(oaep->at(1).key, KeyType::kRsa2048);
}

TEST(OperationsTest, ListsKeepOrderAndRefuseMistakes) {
  Result<std::vector<OpSpec>> ops = ParseOps("random-32,ecdsa-p256-sign");
  ASSERT_TRUE(ops.ok());
  ASSERT_EQ(ops->size(), 2u);
  EXPECT_EQ(ops->at(0).name, "random-32");
  EXPECT_EQ(ops->at(1).name, "ecdsa-p256-sign");
  EXPECT_EQ(ParseOps("all")->size(), AllOps().size());
  EXPECT_FALSE(ParseOps("rsa-sign").ok());
  EXPECT_FALSE(ParseOps("random-32,random-32").ok());
  EXPECT_FALSE(ParseOps("random-32,").ok());
  EXPECT_FALSE(ParseOps("").ok());
}

TEST(OptionsTest, Pkcs11Run) {
  Result<Options> o = ParseOptions(
      {"--module", "/m.so", "--token=bench", "--pin", "5678", "--ops",
       "random-32", "--threads", "1,2,4", "--warmup", "0.5", "--duration=2",
       "--server-pid", "42", "--json", "out.json"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->engine, "pkcs11");
  EXPECT_EQ(o->module_path, "/m.so");
  EXPECT_EQ(o->token_label, "bench");
  EXPECT_EQ(o->pin, "5678");
  EXPECT_EQ(o->threads, (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(o->warmup_seconds, 0.5);
  EXPECT_EQ(o->duration_seconds, 2.0);
  EXPECT_EQ(o->server_pid, 42);
  EXPECT_EQ(o->json_path, "out.json");
  ASSERT_EQ(o->ops.size(), 1u);
}

TEST(OptionsTest, PinFromEnvironment) {
  ::setenv("KMS_BENCH_TEST_PIN", "1111", 1);
  Result<Options> o = ParseOptions(
      {"--module", "/m.so", "--token", "t", "--pin-env", "KMS_BENCH_TEST_PIN"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->pin, "1111");
  EXPECT_FALSE(ParseOptions({"--module", "/m.so", "--token", "t", "--pin-env",
                             "KMS_BENCH_TEST_PIN_UNSET"})
                   .ok());
  EXPECT_FALSE(ParseOptions({"--module", "/m.so", "--token", "t", "--pin", "1",
                             "--pin-env", "KMS_BENCH_TEST_PIN"})
                   .ok());
}

TEST(OptionsTest, OpenSslNeedsNoModule) {
  Result<Options> o = ParseOptions({"--engine", "openssl"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->ops.size(), AllOps().size());
  EXPECT_EQ(o->threads, (std::vector<int>{1, 2}));
  EXPECT_FALSE(ParseOptions({"--engine", "openssl", "--module", "/m.so"}).ok());
}

TEST(OptionsTest, HttpNeedsAKeyRingAndAPin) {
  Result<Options> o =
      ParseOptions({"--engine", "http", "--key-ring", "dev", "--pin", "1234"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->key_ring, "dev");
  EXPECT_EQ(o->pin, "1234");
  EXPECT_EQ(o->create_keys, 0);
  o = ParseOptions({"--engine", "http", "--key-ring", "dev", "--pin", "1",
                    "--create-keys", "500", "--threads", "4"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->create_keys, 500);
  EXPECT_FALSE(ParseOptions({"--engine", "http", "--pin", "1"}).ok());
  EXPECT_FALSE(ParseOptions({"--engine", "http", "--key-ring", "dev"}).ok());
  EXPECT_FALSE(ParseOptions({"--engine", "http", "--key-ring", "dev", "--pin",
                             "1", "--module", "/m.so"})
                   .ok());
  EXPECT_FALSE(ParseOptions({"--engine", "http", "--key-ring", "dev", "--pin",
                             "1", "--create-keys", "0"})
                   .ok());
  // Creating keys is the http engine's alone.
  EXPECT_FALSE(
      ParseOptions({"--engine", "openssl", "--create-keys", "10"}).ok());
}

TEST(OptionsTest, Refusals) {
  EXPECT_FALSE(ParseOptions({}).ok());  // no module
  EXPECT_FALSE(ParseOptions({"--module", "/m.so", "--pin", "1"}).ok());
  EXPECT_FALSE(ParseOptions({"--module", "/m.so", "--token", "t"}).ok());
  EXPECT_FALSE(ParseOptions({"--engine", "gpu"}).ok());
  EXPECT_FALSE(ParseOptions({"--engine", "openssl", "--threads", "0"}).ok());
  EXPECT_FALSE(ParseOptions({"--engine", "openssl", "--threads", "1,1"}).ok());
  EXPECT_FALSE(ParseOptions({"--engine", "openssl", "--threads", "a"}).ok());
  EXPECT_FALSE(ParseOptions({"--engine", "openssl", "--duration", "0"}).ok());
  EXPECT_FALSE(ParseOptions({"--engine", "openssl", "--warmup", "-1"}).ok());
  EXPECT_FALSE(ParseOptions({"--engine", "openssl", "--ops", "nope"}).ok());
  EXPECT_FALSE(ParseOptions({"--engine", "openssl", "--json"}).ok());
  EXPECT_FALSE(ParseOptions({"--engine", "openssl", "--frobnicate"}).ok());
  // --list-slots needs only the module.
  EXPECT_TRUE(ParseOptions({"--module", "/m.so", "--list-slots"}).ok());
  EXPECT_TRUE(ParseOptions({"--list-ops"}).ok());
}

}  // namespace
}  // namespace kms::bench
