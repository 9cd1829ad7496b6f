// kmsd: the key server. `kmsd --config FILE` or `kmsd dev --data-dir DIR`.
#include <openssl/crypto.h>
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "common/json.h"
#include "common/logging.h"
#include "server/kmsd/dev_mode.h"
#include "server/kmsd/kms_server.h"
#include "server/version.h"

namespace {

constexpr char kUsage[] =
    "usage: kmsd --config FILE\n"
    "       kmsd dev --data-dir DIR [--listen HOST:PORT] [--root "
    "file|softhsm]\n"
    "                [--audit-off]  (benchmarks only: records nothing)\n"
    "       kmsd --version\n";

int Fail(const std::string& message) {
  std::fprintf(stderr, "kmsd: %s\n", message.c_str());
  return 1;
}

// Blocks the signals in every thread started later, so that sigwait in
// main receives them.
sigset_t BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  kms::DevOptions dev;
  bool dev_mode = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "kmsd: %s needs a value\n%s", name, kUsage);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "dev" && i == 1) {
      dev_mode = true;
    } else if (arg == "--config" && !dev_mode) {
      config_path = value("--config");
    } else if (arg == "--data-dir" && dev_mode) {
      dev.data_dir = value("--data-dir");
    } else if (arg == "--listen" && dev_mode) {
      dev.listen = value("--listen");
    } else if (arg == "--root" && dev_mode) {
      dev.root = value("--root");
    } else if (arg == "--audit-off" && dev_mode) {
      dev.audit_off = true;
    } else if (arg == "--version") {
      std::printf("kmsd %s\n", kms::kKmsVersion);
      return 0;
    } else if (arg == "--help" || arg == "-h") {
      std::printf("%s", kUsage);
      return 0;
    } else {
      std::fprintf(stderr, "kmsd: unknown argument '%s'\n%s", arg.c_str(),
                   kUsage);
      return 2;
    }
  }
  if (dev_mode ? dev.data_dir.empty() : config_path.empty()) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  sigset_t signals = BlockShutdownSignals();
  kms::InstallWipingJsonAllocator();
  // Private key components then live in OpenSSL's locked secure heap.
  if (CRYPTO_secure_malloc_init(size_t{32} << 20, 32) == 0) {
    KMS_LOG(kWarning) << "OpenSSL secure heap unavailable; private keys are "
                         "held in ordinary (still wiped) memory";
  }

  kms::ServerConfig config;
  if (dev_mode) {
    auto prepared = kms::PrepareDevDirectory(dev);
    if (!prepared.ok()) return Fail(prepared.status().message());
    config = std::move(prepared).value();
  } else {
    auto loaded = kms::LoadServerConfig(config_path);
    if (!loaded.ok()) return Fail(loaded.status().message());
    config = std::move(loaded).value();
  }
  auto level = kms::ParseLogLevel(config.log_level);
  kms::Status logging = kms::ConfigureLogging(
      level.ok() ? *level : kms::LogLevel::kInfo, config.log_destination);
  if (!logging.ok()) return Fail(logging.message());

  auto server = kms::KmsServer::Start(config);
  if (!server.ok()) return Fail(server.status().message());
  if (dev_mode) {
    kms::Status finished = kms::FinishDevSetup(dev, **server);
    if (!finished.ok()) {
      (*server)->Stop();
      return Fail("dev setup: " + finished.message());
    }
    KMS_LOG(kInfo) << "dev mode: settings for clients in " << dev.data_dir
                   << "/env";
  }
  KMS_LOG(kInfo) << "kmsd " << kms::kKmsVersion << " listening on port "
                 << (*server)->port() << " (root of trust: "
                 << (*server)->context().root->description() << ")";
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  KMS_LOG(kInfo) << "received " << strsignal(signal_number)
                 << ", shutting down";
  (*server)->Stop();
  server->reset();
  KMS_LOG(kInfo) << "kmsd stopped";
  return 0;
}
