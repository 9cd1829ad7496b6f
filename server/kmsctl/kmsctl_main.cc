// kmsctl: the operator's command line for kmsd. See docs/kmsctl.md.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "server/kmsctl/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  kms::kmsctl::Io io{
      std::cout,
      std::cerr,
      std::cin,
      isatty(STDIN_FILENO) != 0,
      isatty(STDERR_FILENO) != 0,
      [](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
      },
  };
  int code = kms::kmsctl::RunKmsctl(args, io);
  std::cout.flush();
  return code;
}
