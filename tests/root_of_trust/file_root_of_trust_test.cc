#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "common/secure_memory.h"
#include "gtest/gtest.h"
#include "server/root_of_trust/root_of_trust.h"

namespace kms {
namespace {

class FileRootOfTrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "kms-rot-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/root.key";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<RootOfTrust> MustOpen(const std::string& path, bool create) {
    auto root = OpenFileRootOfTrust(path, create);
    EXPECT_TRUE(root.ok()) << root.status().ToString();
    return root.ok() ? std::move(root).value() : nullptr;
  }

  void WriteRaw(const std::string& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  }

  std::string dir_;
  std::string path_;
};

TEST_F(FileRootOfTrustTest, CreatesPrivateFile) {
  auto root = MustOpen(path_, /*create=*/true);
  ASSERT_NE(root, nullptr);
  struct stat st;
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 72);
  EXPECT_EQ(root->backend(), "file");
  EXPECT_FALSE(root->hsm_backed());
  EXPECT_NE(root->description().find(path_), std::string::npos);
  EXPECT_NE(root->description().find("not HSM-backed"), std::string::npos);
  // No stray temporary file left next to it.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST_F(FileRootOfTrustTest, ReopenUnsealsWhatFirstSealed) {
  const std::string secret = "key material";
  Bytes sealed;
  {
    auto root = MustOpen(path_, true);
    ASSERT_NE(root, nullptr);
    auto s = root->Seal(View(secret), View("ring/key/1"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    sealed = *s;
    EXPECT_EQ(sealed.size(), 12 + secret.size() + 16);
  }
  auto root = MustOpen(path_, /*create=*/false);
  ASSERT_NE(root, nullptr);
  auto plain = root->Unseal(View(sealed), View("ring/key/1"));
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(std::string(plain->begin(), plain->end()), secret);
  // Opening with create=true must not replace the existing keys either.
  auto again = MustOpen(path_, true);
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(again->Unseal(View(sealed), View("ring/key/1")).ok());
}

TEST_F(FileRootOfTrustTest, SealsAreRandomised) {
  auto root = MustOpen(path_, true);
  ASSERT_NE(root, nullptr);
  auto a = root->Seal(View("same"), View("aad"));
  auto b = root->Seal(View("same"), View("aad"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST_F(FileRootOfTrustTest, EmptyPlaintextAndAad) {
  auto root = MustOpen(path_, true);
  ASSERT_NE(root, nullptr);
  auto sealed = root->Seal({}, {});
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->size(), 28u);
  auto plain = root->Unseal(View(*sealed), {});
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_TRUE(plain->empty());
}

TEST_F(FileRootOfTrustTest, WrongAadFails) {
  auto root = MustOpen(path_, true);
  ASSERT_NE(root, nullptr);
  auto sealed = root->Seal(View("secret"), View("ring/key/1"));
  ASSERT_TRUE(sealed.ok());
  auto plain = root->Unseal(View(*sealed), View("ring/key/2"));
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().code(), ErrorCode::kDecryptFailed);
}

TEST_F(FileRootOfTrustTest, TamperingFails) {
  auto root = MustOpen(path_, true);
  ASSERT_NE(root, nullptr);
  auto sealed = root->Seal(View("secret"), View("aad"));
  ASSERT_TRUE(sealed.ok());
  // One byte in each of iv, ciphertext and tag.
  for (size_t index : {size_t{0}, size_t{13}, sealed->size() - 1}) {
    Bytes tampered = *sealed;
    tampered[index] ^= 0x01;
    auto plain = root->Unseal(View(tampered), View("aad"));
    ASSERT_FALSE(plain.ok()) << "byte " << index;
    EXPECT_EQ(plain.status().code(), ErrorCode::kDecryptFailed);
  }
  Bytes truncated(sealed->begin(), sealed->end() - 1);
  auto plain = root->Unseal(View(truncated), View("aad"));
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().code(), ErrorCode::kDecryptFailed);
}

TEST_F(FileRootOfTrustTest, TooShortIsInvalidArgument) {
  auto root = MustOpen(path_, true);
  ASSERT_NE(root, nullptr);
  Bytes short_input(27, 0);
  auto plain = root->Unseal(View(short_input), View("aad"));
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(FileRootOfTrustTest, AnotherRootCannotUnseal) {
  auto first = MustOpen(path_, true);
  auto second = MustOpen(dir_ + "/other.key", true);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  auto sealed = first->Seal(View("secret"), View("aad"));
  ASSERT_TRUE(sealed.ok());
  auto plain = second->Unseal(View(*sealed), View("aad"));
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().code(), ErrorCode::kDecryptFailed);
}

TEST_F(FileRootOfTrustTest, RefusesGroupReadableFile) {
  ASSERT_NE(MustOpen(path_, true), nullptr);
  ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  auto root = OpenFileRootOfTrust(path_, true);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(root.status().message().find(path_), std::string::npos);
  EXPECT_NE(root.status().message().find("0644"), std::string::npos);
}

TEST_F(FileRootOfTrustTest, MissingFileWithoutCreate) {
  auto root = OpenFileRootOfTrust(path_, /*create=*/false);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(root.status().message().find(path_), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(FileRootOfTrustTest, RefusesWrongSize) {
  WriteRaw(path_, "too short");
  auto root = OpenFileRootOfTrust(path_, true);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(root.status().message().find(path_), std::string::npos);
}

TEST_F(FileRootOfTrustTest, RefusesWrongHeader) {
  WriteRaw(path_, std::string(72, 'x'));
  auto root = OpenFileRootOfTrust(path_, true);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(root.status().message().find(path_), std::string::npos);
}

TEST_F(FileRootOfTrustTest, RefusesSymlink) {
  ASSERT_NE(MustOpen(path_, true), nullptr);
  std::string link = dir_ + "/link.key";
  ASSERT_EQ(::symlink(path_.c_str(), link.c_str()), 0);
  auto root = OpenFileRootOfTrust(link, false);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), ErrorCode::kFailedPrecondition);
}

TEST_F(FileRootOfTrustTest, MissingDirectoryIsAnError) {
  auto root = OpenFileRootOfTrust(dir_ + "/no/such/dir/root.key", true);
  EXPECT_FALSE(root.ok());
}

TEST_F(FileRootOfTrustTest, AuditMac) {
  Bytes mac;
  {
    auto root = MustOpen(path_, true);
    ASSERT_NE(root, nullptr);
    auto a = root->AuditMac(View("entry 1"));
    auto b = root->AuditMac(View("entry 1"));
    auto c = root->AuditMac(View("entry 2"));
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    EXPECT_EQ(a->size(), 32u);
    EXPECT_EQ(*a, *b);
    EXPECT_NE(*a, *c);
    mac = *a;
  }
  auto reopened = MustOpen(path_, false);
  ASSERT_NE(reopened, nullptr);
  auto again = reopened->AuditMac(View("entry 1"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, mac);
  auto other = MustOpen(dir_ + "/other.key", true);
  ASSERT_NE(other, nullptr);
  auto foreign = other->AuditMac(View("entry 1"));
  ASSERT_TRUE(foreign.ok());
  EXPECT_NE(*foreign, mac);
}

TEST_F(FileRootOfTrustTest, Random) {
  auto root = MustOpen(path_, true);
  ASSERT_NE(root, nullptr);
  auto a = root->Random(32);
  auto b = root->Random(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
  auto empty = root->Random(0);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(root->Random(size_t{1} << 30).status().code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace kms
