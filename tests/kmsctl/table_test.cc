#include "server/kmsctl/table.h"

#include <gtest/gtest.h>

#include <sstream>

namespace kms::kmsctl {
namespace {

std::string Render(const Table& table, bool header = true) {
  std::ostringstream out;
  table.Print(out, header);
  return out.str();
}

TEST(TableTest, AlignsColumnsWithoutTrailingBlanks) {
  Table table({"ID", "LABEL", "STATE"});
  table.AddRow({"k1", "web-tls", "ENABLED"});
  table.AddRow({"k12345", "db", "DESTROYED"});
  EXPECT_EQ(Render(table),
            "ID      LABEL    STATE\n"
            "k1      web-tls  ENABLED\n"
            "k12345  db       DESTROYED\n");
}

TEST(TableTest, EmptyCellsShowAsDashAndShortRowsArePadded) {
  Table table({"A", "B", "C"});
  table.AddRow({"x", ""});
  EXPECT_EQ(Render(table),
            "A  B  C\n"
            "x  -  -\n");
}

TEST(TableTest, HeaderOnlyWhenEmpty) {
  Table table({"NAME", "ROLE"});
  EXPECT_EQ(Render(table), "NAME  ROLE\n");
  EXPECT_EQ(table.row_count(), 0u);
}

TEST(TableTest, WithoutHeaderWidthsFollowRows) {
  Table table({"LONG HEADER", ""});
  table.AddRow({"a:", "1"});
  table.AddRow({"bcd:", "2"});
  EXPECT_EQ(Render(table, false), "a:    1\nbcd:  2\n");
}

TEST(TableTest, CountsCodePointsNotBytes) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("\xC3\xA9t\xC3\xA9"), 3u);  // "été"
  Table table({"X", "Y"});
  table.AddRow({"\xC3\xA9t\xC3\xA9", "1"});
  table.AddRow({"abcd", "2"});
  EXPECT_EQ(Render(table),
            "X     Y\n"
            "\xC3\xA9t\xC3\xA9   1\n"
            "abcd  2\n");
}

TEST(TableTest, MinimumWidthsKeepBatchesAligned) {
  Table table({"SEQ", "OP"});
  table.SetMinWidths({5});
  table.AddRow({"1", "sign"});
  EXPECT_EQ(Render(table, false), "1      sign\n");
}

}  // namespace
}  // namespace kms::kmsctl
