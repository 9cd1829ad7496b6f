// Durability: kmsd (SoftHSMv2 root) killed with SIGKILL in the middle of a
// burst of key creations and signatures loses nothing it acknowledged, and
// its audit trail still verifies.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/json.h"
#include "tests/integration/kmsd_process.h"
#include "tests/integration/test_json.h"

namespace kms::testing {
namespace {

TEST(DurabilityTest, AcknowledgedKeysSurviveKill9) {
  constexpr int kThreads = 4;
  auto kmsd = KmsdProcess::Start("softhsm");
  ASSERT_TRUE(kmsd.ok()) << kmsd.status().ToString();
  KmsdProcess& server = **kmsd;

  std::vector<std::unique_ptr<ApiClient>> clients;
  for (int i = 0; i < kThreads; ++i) {
    auto app = server.LoggedInApp();
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    clients.push_back(std::move(*app));
  }

  std::mutex mu;
  std::set<std::string> acknowledged;  // key ids whose creation was answered
  std::vector<std::string> early_failures;  // failures before the kill
  std::atomic<bool> killed{false};
  std::atomic<int> signatures{0};

  auto worker = [&](int index) {
    ApiClient& app = *clients[index];
    for (int i = 0;; ++i) {
      Json create = Json::Object();
      create
          .Set("label",
               "burst-" + std::to_string(index) + "-" + std::to_string(i))
          .Set("algorithm", "EC_P256");
      auto key = app.Call("POST", "/v1/keyrings/dev/keys", create);
      if (!key.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (!killed) early_failures.push_back("create: " + Describe(key));
        return;
      }
      EXPECT_GE(app.last_http_status(), 200);
      EXPECT_LT(app.last_http_status(), 300);
      std::string id = Str(*key, "id");
      {
        std::lock_guard<std::mutex> lock(mu);
        acknowledged.insert(id);
      }
      Json sign = Json::Object();
      sign.Set("data", DigestB64(id));
      auto signed_reply =
          app.Call("POST", "/v1/keyrings/dev/keys/" + id + "/sign", sign);
      if (!signed_reply.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (!killed)
          early_failures.push_back("sign: " + Describe(signed_reply));
        return;
      }
      ++signatures;
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back(worker, i);

  // Let the burst run for a while (and make some progress) before the kill.
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    size_t done = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      done = acknowledged.size();
      if (!early_failures.empty()) break;
    }
    if (done >= 2 * kThreads && std::chrono::steady_clock::now() - start >
                                    std::chrono::milliseconds(1500)) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    killed = true;
  }
  server.Kill9();
  for (auto& t : threads) t.join();

  ASSERT_TRUE(early_failures.empty()) << early_failures.front();
  ASSERT_GE(acknowledged.size(), static_cast<size_t>(2 * kThreads));
  std::printf("acknowledged %zu keys and %d signatures before kill -9\n",
              acknowledged.size(), signatures.load());

  Status restarted = server.Restart();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  auto app = server.LoggedInApp();
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  for (const std::string& id : acknowledged) {
    std::string path = "/v1/keyrings/dev/keys/" + id;
    auto key = (*app)->Call("GET", path);
    EXPECT_TRUE(key.ok()) << id << ": " << Describe(key);
    Json sign = Json::Object();
    sign.Set("data", DigestB64("after restart " + id));
    auto signed_reply = (*app)->Call("POST", path + "/sign", sign);
    EXPECT_TRUE(signed_reply.ok()) << id << ": " << Describe(signed_reply);
  }

  // Every acknowledged creation was audited before its reply.
  auto admin = server.AdminClient();
  std::set<std::string> audited;
  int64_t after = 0;
  for (;;) {
    auto page = admin->Call(
        "GET", "/v1/audit?after=" + std::to_string(after) + "&limit=1000");
    ASSERT_TRUE(page.ok()) << Describe(page);
    const cJSON* records =
        cJSON_GetObjectItemCaseSensitive(page->get(), "records");
    int n = cJSON_GetArraySize(records);
    for (int i = 0; i < n; ++i) {
      Json r(CJsonPtr(cJSON_Duplicate(cJSON_GetArrayItem(records, i), 1)));
      if (Str(r, "operation") == "key-create" && Str(r, "result") == "OK") {
        audited.insert(Str(r, "key_id"));
      }
      after = static_cast<int64_t>(
          cJSON_GetObjectItemCaseSensitive(r.get(), "seq")->valuedouble);
    }
    if (n < 1000) break;
  }
  for (const std::string& id : acknowledged) {
    EXPECT_TRUE(audited.count(id)) << "creation of " << id << " not audited";
  }

  auto verified =
      admin->Call("POST", "/v1/audit/verify", Json::Object().Set("after", 0));
  ASSERT_TRUE(verified.ok()) << Describe(verified);
  EXPECT_TRUE(
      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(verified->get(), "ok")))
      << verified->Dump();
  if (std::filesystem::exists(BuiltBinary("kmsctl"))) {
    CommandRun cli = RunCommand(BuiltBinary("kmsctl") + " --env-file " +
                                server.data_dir() + "/env audit verify");
    EXPECT_EQ(cli.exit_code, 0) << cli.output;
  }
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace kms::testing
