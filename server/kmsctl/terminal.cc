#include "server/kmsctl/terminal.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>

namespace kms::kmsctl {
namespace {

// The settings to restore from the signal handler; only touched while the
// prompt is active, and only with async-signal-safe calls.
termios g_saved_termios;
struct sigaction g_saved_sigint;
struct sigaction g_saved_sigterm;

void RestoreAndReraise(int signo) {
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_termios);
  const char newline = '\n';
  ssize_t ignored = write(STDERR_FILENO, &newline, 1);
  (void)ignored;
  sigaction(signo, signo == SIGINT ? &g_saved_sigint : &g_saved_sigterm,
            nullptr);
  raise(signo);
}

// Turns echo off for its lifetime.
class NoEcho {
 public:
  NoEcho() {
    if (tcgetattr(STDIN_FILENO, &g_saved_termios) != 0) return;
    struct sigaction action {};
    action.sa_handler = RestoreAndReraise;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &g_saved_sigint);
    sigaction(SIGTERM, &action, &g_saved_sigterm);
    termios quiet = g_saved_termios;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~NoEcho() {
    if (active_) tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_termios);
    sigaction(SIGINT, &g_saved_sigint, nullptr);
    sigaction(SIGTERM, &g_saved_sigterm, nullptr);
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  bool active_ = false;
};

}  // namespace

Result<SecureString> ReadSecretFromTerminal(const std::string& prompt) {
  if (!isatty(STDIN_FILENO)) {
    return Error(ErrorCode::kInvalidArgument, "stdin is not a terminal");
  }
  std::fputs(prompt.c_str(), stderr);
  std::fflush(stderr);
  SecureString line;
  NoEcho no_echo;
  for (;;) {
    char c = 0;
    ssize_t n = read(STDIN_FILENO, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Error(ErrorCode::kInvalidArgument, "input ended");
    }
    if (c == '\n') break;
    if (c != '\r') line.push_back(c);
  }
  return line;
}

}  // namespace kms::kmsctl
