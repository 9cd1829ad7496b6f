// kms-bench: throughput and latency of PKCS#11 modules and of OpenSSL
// in-process, operation by operation and thread count by thread count.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench/engine.h"
#include "bench/http_driver.h"
#include "bench/openssl_driver.h"
#include "bench/options.h"
#include "bench/pkcs11_driver.h"
#include "bench/pkcs11_library.h"
#include "bench/report.h"
#include "bench/runner.h"

namespace kms::bench {
namespace {

constexpr int kExitErrors = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInterrupted = 130;

void OnSignal(int) { RequestStop(); }

int ListSlots(const Options& options) {
  Result<std::unique_ptr<Pkcs11Library>> lib =
      Pkcs11Library::Load(options.module_path);
  if (!lib.ok()) {
    std::cerr << "kms-bench: " << lib.status().ToString() << "\n";
    return kExitUsage;
  }
  Result<std::vector<SlotDescription>> slots = (*lib)->ListSlots();
  if (!slots.ok()) {
    std::cerr << "kms-bench: " << slots.status().ToString() << "\n";
    return kExitUsage;
  }
  for (const SlotDescription& slot : *slots) {
    std::cout << "slot " << slot.id << ": "
              << (slot.token_label.empty()
                      ? "(no initialised token)"
                      : "token '" + slot.token_label + "' (" +
                            slot.manufacturer + ", " + slot.model + ")")
              << "\n";
  }
  return 0;
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

HttpOptions HttpOptionsFrom(const Options& options) {
  HttpOptions http;
  http.url = Env("KMS_URL");
  http.tls.ca_file = Env("KMS_CA_FILE");
  http.tls.cert_file = Env("KMS_CLIENT_CERT");
  http.tls.key_file = Env("KMS_CLIENT_KEY");
  http.key_ring = options.key_ring;
  http.pin = options.pin;
  http.existing_keys = options.existing_keys;
  http.label_prefix = options.label_prefix;
  return http;
}

int CreateKeys(const Options& options) {
  Result<KeyCreationResult> result = CreateEcKeys(
      HttpOptionsFrom(options), options.create_keys, options.threads.front());
  if (!result.ok()) {
    std::cerr << "kms-bench: " << result.status().ToString() << "\n";
    return kExitUsage;
  }
  double rate = result->seconds > 0 ? result->created / result->seconds : 0;
  std::cout << "created " << result->created << " EC P-256 keys in "
            << result->seconds << " s with " << options.threads.front()
            << " thread(s): " << static_cast<long>(rate) << " keys/s, "
            << result->errors << " error(s)\n";
  if (result->errors > 0) {
    std::cerr << "kms-bench: first error: " << result->first_error << "\n";
    return kExitErrors;
  }
  return 0;
}

int Run(const Options& options) {
  std::unique_ptr<Engine> engine;
  RunInfo info;
  info.engine = options.engine;
  info.warmup_seconds = options.warmup_seconds;
  info.duration_seconds = options.duration_seconds;
  if (options.engine == "openssl") {
    engine = NewOpenSslEngine();
  } else if (options.engine == "http") {
    if (options.create_keys > 0) return CreateKeys(options);
    HttpOptions http = HttpOptionsFrom(options);
    if (http.url.empty()) {
      std::cerr << "kms-bench: --engine http needs KMS_URL (and KMS_CA_FILE, "
                   "KMS_CLIENT_CERT, KMS_CLIENT_KEY)\n";
      return kExitUsage;
    }
    Result<std::unique_ptr<Engine>> made = NewHttpEngine(http);
    if (!made.ok()) {
      std::cerr << "kms-bench: " << made.status().ToString() << "\n";
      return kExitUsage;
    }
    engine = std::move(made).value();
    info.module = http.url;
  } else {
    Pkcs11Options p11;
    p11.module_path = options.module_path;
    p11.token_label = options.token_label;
    p11.pin = options.pin;
    p11.label_prefix = options.label_prefix;
    p11.existing_keys = options.existing_keys;
    Result<std::unique_ptr<Engine>> made = NewPkcs11Engine(p11);
    if (!made.ok()) {
      std::cerr << "kms-bench: " << made.status().ToString() << "\n";
      return kExitUsage;
    }
    engine = std::move(made).value();
    info.module = options.module_path;
    info.token = options.token_label;
  }

  std::vector<PointResult> results;
  for (const OpSpec& op : options.ops) {
    if (StopRequested()) break;
    std::cerr << "kms-bench: " << info.engine << " " << op.name << ": setup\n";
    Result<std::unique_ptr<OpFixture>> fixture = engine->Prepare(op);
    if (!fixture.ok()) {
      bool unsupported =
          fixture.status().code() == ErrorCode::kUnsupportedAlgorithm;
      for (int threads : options.threads) {
        PointResult skipped;
        skipped.op = op.name;
        skipped.threads = threads;
        if (unsupported) {
          skipped.skipped = fixture.status().message();
          skipped.checked = true;
        } else {
          skipped.errors = 1;
          skipped.first_error = "setup: " + fixture.status().ToString();
        }
        results.push_back(std::move(skipped));
      }
      continue;
    }
    for (int threads : options.threads) {
      if (StopRequested()) break;
      std::cerr << "kms-bench: " << info.engine << " " << op.name << ": "
                << threads << " thread(s)\n";
      PointConfig config;
      config.threads = threads;
      config.warmup_seconds = options.warmup_seconds;
      config.duration_seconds = options.duration_seconds;
      config.server_pid = options.server_pid;
      results.push_back(RunPoint(op, **fixture, config));
    }
    std::cerr << "kms-bench: " << info.engine << " " << op.name
              << ": cleanup\n";
  }
  engine.reset();  // finalises the module before the report is written

  std::cout << FormatTable(info, results) << std::flush;
  int exit_code = StopRequested() ? kExitInterrupted : 0;
  for (const PointResult& r : results) {
    if ((r.errors > 0 || !r.checked) && exit_code == 0) exit_code = kExitErrors;
  }
  if (!options.json_path.empty()) {
    Status written = WriteJsonReport(options.json_path, info, results);
    if (!written.ok()) {
      std::cerr << "kms-bench: " << written.ToString() << "\n";
      return kExitUsage;
    }
  }
  if (!options.tsv_path.empty()) {
    Status written = WriteTextFile(options.tsv_path, FormatTsv(info, results));
    if (!written.ok()) {
      std::cerr << "kms-bench: " << written.ToString() << "\n";
      return kExitUsage;
    }
  }
  return exit_code;
}

}  // namespace

int Main(const std::vector<std::string>& args) {
  Result<Options> options = ParseOptions(args);
  if (!options.ok()) {
    std::cerr << "kms-bench: " << options.status().message() << "\n";
    return kExitUsage;
  }
  if (options->help) {
    std::cout << Usage();
    return 0;
  }
  if (options->list_ops) {
    for (const OpSpec& op : AllOps()) std::cout << op.name << "\n";
    return 0;
  }
  if (options->list_slots) return ListSlots(*options);
  // Ctrl-C ends the current window early; keys are still destroyed.
  struct sigaction action {};
  action.sa_handler = OnSignal;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  return Run(*options);
}

}  // namespace kms::bench

int main(int argc, char** argv) {
  return kms::bench::Main(std::vector<std::string>(argv + 1, argv + argc));
}
