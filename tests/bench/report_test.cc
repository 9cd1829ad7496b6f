#include "bench/report.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bench/cpu_time.h"
#include "common/json.h"
#include "gtest/gtest.h"

namespace kms::bench {
namespace {

PointResult SamplePoint() {
  PointResult r;
  r.op = "rsa2048-pkcs1-sign";
  r.threads = 2;
  r.seconds = 2.0;
  r.ops = 3000;
  for (int i = 0; i < 3000; ++i) r.latency.Record(580000);  // 580 µs
  r.cpu_us_per_op = 612.345;
  r.server_cpu_us_per_op = 100.26;
  r.checked = true;
  return r;
}

RunInfo SampleInfo() {
  RunInfo info;
  info.engine = "pkcs11";
  info.module = "/usr/lib/softhsm/libsofthsm2.so";
  info.token = "bench";
  info.warmup_seconds = 1;
  info.duration_seconds = 2;
  return info;
}

TEST(ReportFormatTest, Counts) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(999.4), "999");
  EXPECT_EQ(FormatCount(1000), "1,000");
  EXPECT_EQ(FormatCount(1856953.2), "1,856,953");
  EXPECT_EQ(FormatCount(-1), "-");
}

TEST(ReportFormatTest, Micros) {
  EXPECT_EQ(FormatMicros(17300), "17.3");
  EXPECT_EQ(FormatMicros(64000), "64.0");
  EXPECT_EQ(FormatMicros(580000), "580");
  EXPECT_EQ(FormatMicros(3023000), "3,023");
}

TEST(ReportFormatTest, TableHasHeaderRowAndErrors) {
  PointResult ok = SamplePoint();
  PointResult failed;
  failed.op = "ecdsa-p256-sign";
  failed.threads = 1;
  failed.errors = 4;
  failed.first_error = "INTERNAL: C_Sign: CKR_DEVICE_ERROR";
  PointResult skipped;
  skipped.op = "find-by-label";
  skipped.threads = 1;
  skipped.skipped = "no object store in-process";
  std::string table = FormatTable(SampleInfo(), {ok, failed, skipped});
  std::istringstream lines(table);
  std::string header_info, titles, row;
  std::getline(lines, header_info);
  std::getline(lines, titles);
  std::getline(lines, row);
  EXPECT_NE(header_info.find("engine: pkcs11"), std::string::npos);
  EXPECT_NE(header_info.find("token: bench"), std::string::npos);
  EXPECT_EQ(titles.rfind("operation", 0), 0u);
  EXPECT_NE(titles.find("p99 us"), std::string::npos);
  EXPECT_EQ(row.rfind("rsa2048-pkcs1-sign", 0), 0u);
  EXPECT_NE(row.find("1,500"), std::string::npos);  // 3000 ops in 2 s
  EXPECT_NE(row.find("580"), std::string::npos);
  EXPECT_NE(row.find("612.3"), std::string::npos);
  EXPECT_NE(row.find("100.3"), std::string::npos);
  EXPECT_NE(row.find("yes"), std::string::npos);
  // Columns line up: the ops/s column ends where its title ends.
  EXPECT_EQ(titles.find("ops/s") + 5, row.find("1,500") + 5);
  EXPECT_NE(table.find("NO"), std::string::npos);
  EXPECT_NE(table.find("skipped: no object store"), std::string::npos);
  EXPECT_NE(
      table.find("error in ecdsa-p256-sign (1 threads): INTERNAL: C_Sign"),
      std::string::npos);
}

TEST(ReportJsonTest, CarriesEveryFigure) {
  PointResult r = SamplePoint();
  r.bytes_per_op = 1024;
  PointResult no_server = SamplePoint();
  no_server.server_cpu_us_per_op.reset();
  Json json = ToJson(SampleInfo(), {r, no_server});
  Result<Json> parsed = Json::Parse(json.Dump());
  ASSERT_TRUE(parsed.ok());
  cJSON* results = cJSON_GetObjectItemCaseSensitive(parsed->get(), "results");
  ASSERT_TRUE(cJSON_IsArray(results));
  ASSERT_EQ(cJSON_GetArraySize(results), 2);
  cJSON* first = cJSON_GetArrayItem(results, 0);
  auto number = [&](cJSON* item, const char* key) {
    cJSON* v = cJSON_GetObjectItemCaseSensitive(item, key);
    EXPECT_TRUE(cJSON_IsNumber(v)) << key;
    return v != nullptr ? v->valuedouble : -1;
  };
  auto string = [&](cJSON* item, const char* key) {
    cJSON* v = cJSON_GetObjectItemCaseSensitive(item, key);
    EXPECT_TRUE(cJSON_IsString(v)) << key;
    return std::string(v != nullptr && v->valuestring ? v->valuestring : "");
  };
  EXPECT_EQ(string(first, "engine"), "pkcs11");
  EXPECT_EQ(string(first, "module"), "/usr/lib/softhsm/libsofthsm2.so");
  EXPECT_EQ(string(first, "op"), "rsa2048-pkcs1-sign");
  EXPECT_EQ(number(first, "threads"), 2);
  EXPECT_EQ(number(first, "ops"), 3000);
  EXPECT_EQ(number(first, "ops_per_sec"), 1500);
  EXPECT_EQ(number(first, "bytes_per_sec"), 1500 * 1024);
  EXPECT_NEAR(number(first, "p50_us"), 580, 580.0 / 64);
  EXPECT_NEAR(number(first, "p90_us"), 580, 580.0 / 64);
  EXPECT_NEAR(number(first, "p99_us"), 580, 580.0 / 64);
  EXPECT_EQ(number(first, "max_us"), 580);
  EXPECT_EQ(number(first, "errors"), 0);
  EXPECT_EQ(number(first, "cpu_us_per_op"), 612.345);
  EXPECT_EQ(number(first, "server_cpu_us_per_op"), 100.26);
  EXPECT_TRUE(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(first, "checked")));
  cJSON* second = cJSON_GetArrayItem(results, 1);
  EXPECT_TRUE(cJSON_IsNull(
      cJSON_GetObjectItemCaseSensitive(second, "server_cpu_us_per_op")));
}

TEST(ReportJsonTest, WritesAFile) {
  std::string path =
      (std::filesystem::temp_directory_path() /
       ("kms-bench-report-" + std::to_string(::getpid()) + ".json"))
          .string();
  ASSERT_TRUE(WriteJsonReport(path, SampleInfo(), {SamplePoint()}).ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(path);
  Result<Json> parsed = Json::Parse(text.str());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(cJSON_IsArray(
      cJSON_GetObjectItemCaseSensitive(parsed->get(), "results")));
  EXPECT_FALSE(
      WriteJsonReport("/nonexistent-dir/x.json", SampleInfo(), {}).ok());
}

TEST(ReportTsvTest, OneLinePerPoint) {
  PointResult skipped;
  skipped.op = "find-by-label";
  skipped.threads = 1;
  skipped.skipped = "no\tobject store";
  skipped.checked = true;  // as kms-bench marks skipped points
  RunInfo info = SampleInfo();
  std::string tsv = FormatTsv(info, {SamplePoint(), skipped});
  std::istringstream lines(tsv);
  std::string header, first, second, extra;
  ASSERT_TRUE(std::getline(lines, header));
  ASSERT_TRUE(std::getline(lines, first));
  ASSERT_TRUE(std::getline(lines, second));
  EXPECT_FALSE(std::getline(lines, extra));
  EXPECT_EQ(header.rfind("engine\top\tthreads\tops_per_sec\t", 0), 0u);
  EXPECT_EQ(first.rfind("pkcs11\trsa2048-pkcs1-sign\t2\t1500.0\t0\t", 0), 0u);
  EXPECT_NE(first.find("\t612.3\t100.3\t1\t-"), std::string::npos) << first;
  EXPECT_NE(second.find("\t-\t1\tno object store"), std::string::npos)
      << second;
  auto tabs = [](const std::string& s) {
    return std::count(s.begin(), s.end(), '\t');
  };
  EXPECT_EQ(tabs(first), tabs(header));
  EXPECT_EQ(tabs(second), tabs(header));
}

TEST(CpuTimeTest, ParsesProcStat) {
  // pid (comm with ") (" and spaces) state ppid ... utime=14 stime=15
  std::string line =
      "1234 (kmsd (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0";
  Result<int64_t> ticks = ParseProcStatCpuTicks(line);
  ASSERT_TRUE(ticks.ok()) << ticks.status().ToString();
  EXPECT_EQ(*ticks, 325);
  EXPECT_FALSE(ParseProcStatCpuTicks("1234 (short) S 1 2").ok());
  EXPECT_FALSE(ParseProcStatCpuTicks("no parenthesis").ok());
}

TEST(CpuTimeTest, ReadsThisProcess) {
  Result<int64_t> cpu = ProcessCpuMicros(::getpid());
  ASSERT_TRUE(cpu.ok()) << cpu.status().ToString();
  EXPECT_GE(*cpu, 0);
  EXPECT_GE(SelfCpuMicros(), 0);
  EXPECT_FALSE(ProcessCpuMicros(0x3fffffff).ok());
}

}  // namespace
}  // namespace kms::bench
