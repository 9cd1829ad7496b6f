#include "server/root_of_trust/root_key_file.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "server/root_of_trust/sealed_layout.h"

namespace kms::rot_internal {
namespace {

constexpr std::string_view kMagic{"KMSROOT\x01", 8};
constexpr size_t kFileSize = kMagic.size() + kRootKeySize + kAuditKeySize;

std::string Quoted(const std::string& path) { return "'" + path + "'"; }

Status IoError(const std::string& what, const std::string& path) {
  return Error(
      ErrorCode::kInvalidArgument,
      what + " root key file " + Quoted(path) + ": " + std::strerror(errno));
}

// Closes the descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, const uint8_t* data, size_t size,
                const std::string& path) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", path);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status ReadAll(int fd, uint8_t* data, size_t size, const std::string& path) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, data + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read", path);
    }
    if (n == 0) {
      return Error(ErrorCode::kInvalidArgument,
                   "root key file " + Quoted(path) + " is truncated");
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

void SyncDirectoryOf(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() >= 0) ::fsync(dfd.get());
}

}  // namespace

Result<RootKeys> ReadRootKeyFile(const std::string& path) {
  // O_NOFOLLOW: the checks below must be about the file we actually read.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      return Error(ErrorCode::kNotFound,
                   "root key file " + Quoted(path) + " does not exist");
    }
    if (errno == ELOOP) {
      return Error(ErrorCode::kFailedPrecondition,
                   "root key file " + Quoted(path) + " is a symbolic link");
    }
    return IoError("cannot open", path);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return IoError("cannot stat", path);
  if (!S_ISREG(st.st_mode)) {
    return Error(ErrorCode::kFailedPrecondition,
                 "root key file " + Quoted(path) + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o",
                  static_cast<unsigned>(st.st_mode & 07777));
    return Error(ErrorCode::kFailedPrecondition,
                 "root key file " + Quoted(path) +
                     " is accessible by group or others (mode " + mode +
                     "); it must be mode 0600");
  }
  if (static_cast<size_t>(st.st_size) != kFileSize) {
    return Error(ErrorCode::kInvalidArgument,
                 "root key file " + Quoted(path) + " has the wrong size (" +
                     std::to_string(st.st_size) + " bytes, expected " +
                     std::to_string(kFileSize) + ")");
  }
  SecureBytes content(kFileSize);
  KMS_RETURN_IF_ERROR(ReadAll(fd.get(), content.data(), content.size(), path));
  if (std::memcmp(content.data(), kMagic.data(), kMagic.size()) != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "root key file " + Quoted(path) +
                     " is not a kms root key file (bad header or version)");
  }
  const uint8_t* keys = content.data() + kMagic.size();
  RootKeys out;
  out.root_key.assign(keys, keys + kRootKeySize);
  out.audit_key.assign(keys + kRootKeySize,
                       keys + kRootKeySize + kAuditKeySize);
  return out;
}

Status CreateRootKeyFile(const std::string& path) {
  SecureBytes content(kFileSize);
  std::memcpy(content.data(), kMagic.data(), kMagic.size());
  if (RAND_bytes(content.data() + kMagic.size(),
                 static_cast<int>(kRootKeySize + kAuditKeySize)) != 1) {
    return Error(ErrorCode::kInternal, "RAND_bytes failed");
  }
  // Write a private temporary file, then link() it into place: the key file
  // appears complete or not at all, and an existing one is never replaced.
  std::string tmp = path + ".tmp-XXXXXX";
  Fd fd(::mkostemp(tmp.data(), O_CLOEXEC));  // O_EXCL, mode 0600
  if (fd.get() < 0) return IoError("cannot create temporary", path);
  Status status = [&]() -> Status {
    if (::fchmod(fd.get(), 0600) != 0) return IoError("cannot chmod", tmp);
    KMS_RETURN_IF_ERROR(
        WriteAll(fd.get(), content.data(), content.size(), tmp));
    if (::fsync(fd.get()) != 0) return IoError("cannot sync", tmp);
    if (::close(fd.Release()) != 0) return IoError("cannot close", tmp);
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      if (errno == EEXIST) {
        return Error(ErrorCode::kAlreadyExists,
                     "root key file " + Quoted(path) + " already exists");
      }
      return IoError("cannot create", path);
    }
    return Status::Ok();
  }();
  ::unlink(tmp.c_str());
  if (status.ok()) SyncDirectoryOf(path);
  return status;
}

}  // namespace kms::rot_internal
