// The module exports the Cryptoki functions and nothing else.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <set>
#include <string>

#include "tests/module/module_fixture.h"

namespace kms::testing {
namespace {

TEST(ExportsTest, OnlyCryptokiSymbolsAreExported) {
  std::string command = "nm -D --defined-only " + ModulePath();
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"),
                                             pclose);
  ASSERT_NE(pipe, nullptr);
  std::set<std::string> symbols;
  char line[512];
  while (fgets(line, sizeof(line), pipe.get()) != nullptr) {
    std::string text(line);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
      text.pop_back();
    }
    size_t space = text.rfind(' ');
    symbols.insert(space == std::string::npos ? text : text.substr(space + 1));
  }
  ASSERT_FALSE(symbols.empty()) << "nm printed nothing for " << ModulePath();
  for (const auto& s : symbols) {
    EXPECT_EQ(s.rfind("C_", 0), 0u) << "unexpected export: " << s;
  }
  // Cryptoki 2.40 has 68 functions, C_GetFunctionList included.
  EXPECT_EQ(symbols.size(), 68u);
  for (const char* name :
       {"C_GetFunctionList", "C_Initialize", "C_Sign", "C_GenerateKeyPair",
        "C_WaitForSlotEvent", "C_CancelFunction"}) {
    EXPECT_EQ(symbols.count(name), 1u) << name;
  }
}

}  // namespace
}  // namespace kms::testing
