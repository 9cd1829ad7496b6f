#include "bench/options.h"

#include <cmath>
#include <cstdlib>
#include <set>

namespace kms::bench {
namespace {

constexpr char kDefaultOps[] = "all";

Status Invalid(const std::string& message) {
  return Error(ErrorCode::kInvalidArgument, message);
}

Result<double> ParseSeconds(const std::string& flag, const std::string& text) {
  try {
    size_t used = 0;
    double value = std::stod(text, &used);
    if (used == text.size() && std::isfinite(value) && value >= 0 &&
        value <= 3600) {
      return value;
    }
  } catch (const std::exception&) {
  }
  return Invalid(flag + " wants seconds between 0 and 3600, not '" + text +
                 "'");
}

Result<long> ParseInt(const std::string& flag, const std::string& text,
                      long min, long max) {
  try {
    size_t used = 0;
    long value = std::stol(text, &used);
    if (used == text.size() && value >= min && value <= max) return value;
  } catch (const std::exception&) {
  }
  return Invalid(flag + " wants a number from " + std::to_string(min) + " to " +
                 std::to_string(max) + ", not '" + text + "'");
}

Result<std::vector<int>> ParseThreads(const std::string& text) {
  std::vector<int> out;
  std::set<int> seen;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    KMS_ASSIGN_OR_RETURN(
        long n,
        ParseInt("--threads", text.substr(start, end - start), 1, 1024));
    if (!seen.insert(static_cast<int>(n)).second) {
      return Invalid("--threads lists " + std::to_string(n) + " twice");
    }
    out.push_back(static_cast<int>(n));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string Usage() {
  return R"(usage: kms-bench --module PATH --token LABEL (--pin PIN | --pin-env VAR) [options]
       kms-bench --engine openssl [options]
       kms-bench --engine http --key-ring RING (--pin PIN | --pin-env VAR) [options]
       kms-bench --module PATH --list-slots
       kms-bench --list-ops

  --engine pkcs11|openssl|http
                            pkcs11 (default) loads --module; openssl runs the
                            same operations with OpenSSL EVP in this process;
                            http drives kmsd's JSON API directly (libcurl,
                            keep-alive, a connection per thread) at $KMS_URL
                            with $KMS_CA_FILE, $KMS_CLIENT_CERT and
                            $KMS_CLIENT_KEY (as in the env file of kmsd dev);
                            it signs and creates EC keys (ec-p256-keygen)
  --key-ring RING           http: the key ring to log in to (with the PIN)
  --create-keys N           http: only create N EC P-256 keys labelled
                            <label-prefix>-<n> with the first --threads count,
                            print the rate, then exit (the scale benchmark)
  --module PATH             PKCS#11 module to dlopen
  --token LABEL             token label of the slot to use
  --pin PIN | --pin-env VAR user PIN (C_Login CKU_USER), or the variable holding it
  --ops LIST                comma-separated operations, or "all" (default)
  --threads LIST            thread counts, e.g. 1,2,4 (default 1,2)
  --warmup SECONDS          warm-up before each timed window (default 1)
  --duration SECONDS        timed window per point (default 5)
  --server-pid PID          also report that process's CPU time per operation
  --json FILE               write every figure as JSON
  --tsv FILE                write the main figures as tab-separated lines
  --label-prefix P          labels of generated keys: P-<op>-<random> (default bench)
  --existing-keys PREFIX    use keys labelled PREFIX-<type> (rsa2048, rsa3072,
                            ec-p256, ec-p384, ed25519, aes256) instead of
                            generating them; they are not destroyed
  --list-slots              print the module's slots and tokens, then exit
  --list-ops                print the operations, then exit

exit status: 0 all points ran without errors and passed their checks,
             1 some operation failed or a check failed, 2 usage or setup error,
             130 interrupted (SIGINT/SIGTERM; keys are still destroyed)
)";
}

Result<Options> ParseOptions(const std::vector<std::string>& args) {
  Options options;
  std::string ops = kDefaultOps;
  std::string pin_env;
  bool have_pin = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool inline_value = false;
    if (size_t eq = flag.find('=');
        flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      inline_value = true;
    }
    auto take = [&]() -> Result<std::string> {
      if (inline_value) return value;
      if (i + 1 >= args.size()) return Invalid(flag + " needs a value");
      return args[++i];
    };
    if (flag == "--help" || flag == "-h") {
      options.help = true;
    } else if (flag == "--list-slots") {
      options.list_slots = true;
    } else if (flag == "--list-ops") {
      options.list_ops = true;
    } else if (flag == "--engine") {
      KMS_ASSIGN_OR_RETURN(options.engine, take());
      if (options.engine != "pkcs11" && options.engine != "openssl" &&
          options.engine != "http") {
        return Invalid("--engine is pkcs11, openssl or http, not '" +
                       options.engine + "'");
      }
    } else if (flag == "--module") {
      KMS_ASSIGN_OR_RETURN(options.module_path, take());
    } else if (flag == "--token") {
      KMS_ASSIGN_OR_RETURN(options.token_label, take());
    } else if (flag == "--pin") {
      KMS_ASSIGN_OR_RETURN(options.pin, take());
      have_pin = true;
    } else if (flag == "--pin-env") {
      KMS_ASSIGN_OR_RETURN(pin_env, take());
    } else if (flag == "--ops") {
      KMS_ASSIGN_OR_RETURN(ops, take());
    } else if (flag == "--threads") {
      KMS_ASSIGN_OR_RETURN(std::string text, take());
      KMS_ASSIGN_OR_RETURN(options.threads, ParseThreads(text));
    } else if (flag == "--warmup") {
      KMS_ASSIGN_OR_RETURN(std::string text, take());
      KMS_ASSIGN_OR_RETURN(options.warmup_seconds, ParseSeconds(flag, text));
    } else if (flag == "--duration") {
      KMS_ASSIGN_OR_RETURN(std::string text, take());
      KMS_ASSIGN_OR_RETURN(options.duration_seconds, ParseSeconds(flag, text));
      if (options.duration_seconds <= 0) {
        return Invalid("--duration must be more than 0");
      }
    } else if (flag == "--server-pid") {
      KMS_ASSIGN_OR_RETURN(std::string text, take());
      KMS_ASSIGN_OR_RETURN(long pid, ParseInt(flag, text, 1, 1L << 30));
      options.server_pid = static_cast<pid_t>(pid);
    } else if (flag == "--json") {
      KMS_ASSIGN_OR_RETURN(options.json_path, take());
    } else if (flag == "--tsv") {
      KMS_ASSIGN_OR_RETURN(options.tsv_path, take());
    } else if (flag == "--label-prefix") {
      KMS_ASSIGN_OR_RETURN(options.label_prefix, take());
    } else if (flag == "--existing-keys") {
      KMS_ASSIGN_OR_RETURN(options.existing_keys, take());
    } else if (flag == "--key-ring") {
      KMS_ASSIGN_OR_RETURN(options.key_ring, take());
    } else if (flag == "--create-keys") {
      KMS_ASSIGN_OR_RETURN(std::string text, take());
      KMS_ASSIGN_OR_RETURN(long count, ParseInt(flag, text, 1, 10'000'000));
      options.create_keys = static_cast<int>(count);
    } else {
      return Invalid("unknown argument '" + args[i] + "' (see --help)");
    }
  }
  if (options.help || options.list_ops) return options;

  if (options.engine.empty()) options.engine = "pkcs11";
  if (options.engine == "http") {
    if (options.key_ring.empty()) return Invalid("--key-ring is required");
    if (!options.module_path.empty() || options.list_slots) {
      return Invalid("--module and --list-slots belong to --engine pkcs11");
    }
  } else if (options.create_keys > 0) {
    return Invalid("--create-keys belongs to --engine http");
  }
  if (options.engine == "pkcs11" || options.engine == "http") {
    if (options.engine == "pkcs11" && options.module_path.empty()) {
      return Invalid("--module PATH is required (or --engine openssl)");
    }
    if (!options.list_slots) {
      if (options.engine == "pkcs11" && options.token_label.empty())
        return Invalid("--token LABEL is required");
      if (!pin_env.empty()) {
        if (have_pin) return Invalid("give --pin or --pin-env, not both");
        const char* pin = std::getenv(pin_env.c_str());
        if (pin == nullptr) {
          return Invalid("--pin-env: " + pin_env + " is not set");
        }
        options.pin = pin;
      } else if (!have_pin) {
        return Invalid("--pin or --pin-env is required");
      }
    }
  } else if (!options.module_path.empty() || options.list_slots) {
    return Invalid("--module and --list-slots belong to --engine pkcs11");
  }
  KMS_ASSIGN_OR_RETURN(options.ops, ParseOps(ops));
  return options;
}

}  // namespace kms::bench
