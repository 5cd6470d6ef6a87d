// Runs the real `tillit` binary from tests: one-shot commands with captured output, and a
// long-running server whose first stdout line is awaited.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace tillit::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv to completion (stdin closed), capturing both streams.
CommandResult run_command(const std::vector<std::string>& argv);

class ServerProcess {
 public:
  // Starts argv and waits up to `timeout` for its first stdout line; throws with the
  // process's stderr if it exits or stays silent.
  ServerProcess(const std::vector<std::string>& argv, std::chrono::seconds timeout = std::chrono::seconds(20));
  ~ServerProcess();  // SIGTERM, then SIGKILL if it lingers

  const std::string& first_line() const { return first_line_; }
  pid_t pid() const { return pid_; }
  void signal(int sig);
  // Waits for exit; returns the exit status, or -1 on timeout.
  int wait(std::chrono::seconds timeout);
  std::string stderr_text();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string err_path_;
  std::string first_line_;
  bool exited_ = false;
};

}  // namespace tillit::testing
