// What the benchmarks share to run the binaries they measure: start one
// with its output in a log, wait for a condition, read a process's CPU
// time and peak memory from /proc.
#pragma once

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

extern char** environ;

namespace bench {

namespace fs = std::filesystem;

// Starts argv[0] with stdout and stderr appended to `log`; it dies with
// this process. Its environment is `env` plus this process's without any
// BANDITORE_ setting, so a setting left in the shell never changes what is
// measured.
inline pid_t spawn(std::vector<std::string> argv, const std::vector<std::string>& env, const fs::path& log) {
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> a, e;
    for (auto& s : argv) a.push_back(s.data());
    a.push_back(nullptr);
    std::vector<std::string> env_copy = env;
    for (char** p = environ; *p; ++p)
      if (std::string(*p).rfind("BANDITORE_", 0) != 0) env_copy.push_back(*p);
    for (auto& s : env_copy) e.push_back(s.data());
    e.push_back(nullptr);
    execve(a[0], a.data(), e.data());
    _exit(127);
  }
  return pid;
}

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Polls cond every `step` until it holds or `limit` passes.
template <class F>
bool wait_for(F cond, std::chrono::seconds limit, std::chrono::milliseconds step = std::chrono::milliseconds(2)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (cond()) return true;
    std::this_thread::sleep_for(step);
  }
  return false;
}

// User plus system CPU a process has used so far, in seconds.
inline double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i >= 14) ticks += std::stod(field);  // utime, stime
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A field of /proc/PID/status in KiB; -1 if unknown.
inline long status_kb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  return -1;
}

// The most memory the process has held (VmHWM), in KiB; -1 if unknown.
inline long peak_rss_kb(pid_t pid) { return status_kb(pid, "VmHWM"); }
// The memory it holds now (VmRSS), in KiB; -1 if unknown.
inline long rss_kb(pid_t pid) { return status_kb(pid, "VmRSS"); }

// Starts the peak (VmHWM) again from what the process holds now (Linux
// 4.0 and later: proc(5), clear_refs "5"), so a transient at start, such
// as the staff login's one Argon2id hash of 64 MiB, is not counted as the
// broadcast's. Returns false when the kernel refuses.
inline bool reset_peak_rss(pid_t pid) {
  std::ofstream out("/proc/" + std::to_string(pid) + "/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace bench
