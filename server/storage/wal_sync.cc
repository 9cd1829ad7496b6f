#include "server/storage/wal_sync.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace kms {
namespace {

// Built by appending: GCC 12 warns (-Wrestrict, a false positive) about
// some chains of std::string operator+ here.
Status SyncError(const char* what, const std::string& path, int error) {
  std::string message(what);
  message += " '";
  message += path;
  message += "': ";
  message += std::strerror(error);
  message += "; writes are refused until kmsd restarts";
  return Error(ErrorCode::kUnavailable, std::move(message));
}

// The directory entry of a new WAL file must survive a power loss too.
Status SyncDirectoryOf(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string dir =
      parent.empty() ? std::string(1, '.') : parent.string();
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return SyncError("cannot open", dir, errno);
  int rc = fsync(fd);
  int error = errno;
  close(fd);
  if (rc != 0) return SyncError("cannot sync", dir, error);
  return Status::Ok();
}

}  // namespace

WalSync::~WalSync() {
  if (fd_ >= 0) close(fd_);
}

Status WalSync::WaitDurable() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!failed_.ok()) return failed_;
  // A sync already running may have started before our commit: only one
  // that starts from now on is sure to cover it.
  const uint64_t needed = started_ + 1;
  while (finished_ < needed) {
    if (running_) {
      done_.wait(lock);
    } else {
      running_ = true;
      const uint64_t mine = ++started_;
      lock.unlock();
      Status synced = SyncOnce();
      lock.lock();
      running_ = false;
      if (!synced.ok() && failed_.ok()) failed_ = synced;
      finished_ = mine;
      done_.notify_all();
    }
    if (!failed_.ok()) return failed_;
  }
  return Status::Ok();
}

Status WalSync::SyncOnce() {
  struct stat now {};
  if (stat(wal_path_.c_str(), &now) != 0) {
    // No WAL: every commit is in the database file, which SQLite synced
    // when it checkpointed and removed the WAL.
    if (errno == ENOENT) return Status::Ok();
    return SyncError("cannot find the WAL", wal_path_, errno);
  }
  if (fd_ < 0 || now.st_dev != dev_ || now.st_ino != ino_) {
    if (fd_ >= 0) close(fd_);
    fd_ = open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      return SyncError("cannot open the WAL", wal_path_, errno);
    }
    struct stat opened {};
    if (fstat(fd_, &opened) != 0) {
      return SyncError("cannot stat the WAL", wal_path_, errno);
    }
    dev_ = opened.st_dev;
    ino_ = opened.st_ino;
    KMS_RETURN_IF_ERROR(SyncDirectoryOf(wal_path_));
  }
  if (fdatasync(fd_) != 0) {
    return SyncError("cannot sync the WAL", wal_path_, errno);
  }
  return Status::Ok();
}

}  // namespace kms
