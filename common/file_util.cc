#include "common/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace kms {
namespace {

Status IoError(const std::string& what, const std::string& path) {
  return Error(ErrorCode::kInvalidArgument,
               what + " '" + path + "': " + std::strerror(errno));
}

template <typename Buffer>
Result<Buffer> ReadInto(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Error(ErrorCode::kNotFound, "file '" + path + "' does not exist");
    }
    return IoError("cannot open", path);
  }
  Buffer out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = IoError("cannot read", path);
      ::close(fd);
      SecureWipe(buf, sizeof(buf));
      return s;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  SecureWipe(buf, sizeof(buf));
  ::close(fd);
  return out;
}

}  // namespace

Status WriteFileAtomic(const std::string& path, std::string_view data,
                       int mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return IoError("cannot create", tmp);
  ::fchmod(fd, static_cast<mode_t>(mode));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = IoError("cannot write", tmp);
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = IoError("cannot sync", tmp);
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return IoError("cannot rename to", path);
  }
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  // (Assigning "." to an empty std::string here trips g++ 12's false
  // -Wrestrict at -O3.)
  std::string dir = parent.empty() ? std::string(".") : parent.string();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Result<std::string> ReadFile(const std::string& path) {
  return ReadInto<std::string>(path);
}

Result<SecureString> ReadSecretFile(const std::string& path) {
  return ReadInto<SecureString>(path);
}

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

Status MakeDirectories(const std::string& path, int mode) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return Error(ErrorCode::kInvalidArgument,
                 "cannot create directory '" + path + "': " + ec.message());
  }
  ::chmod(path.c_str(), static_cast<mode_t>(mode));
  return Status::Ok();
}

}  // namespace kms
