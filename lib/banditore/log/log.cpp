#include <banditore/log/log.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <stdexcept>

namespace banditore::log {

namespace {
std::atomic<int> current_level{int(level::info)};
std::mutex output_mutex;
void (*current_sink)(std::string_view) = nullptr;

std::string_view name(level l) {
  switch (l) {
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warn: return "warn";
    case level::error: return "error";
    case level::off: return "off";
  }
  return "info";
}

std::string timestamp() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms));
  return buf;
}
}  // namespace

level parse_level(std::string_view s) {
  for (auto l : {level::debug, level::info, level::warn, level::error, level::off})
    if (s == name(l)) return l;
  if (s == "warning") return level::warn;
  throw std::invalid_argument("log level must be one of debug, info, warn, error, off");
}

void set_level(level l) { current_level = int(l); }
bool enabled(level l) { return l != level::off && int(l) >= current_level.load(); }
void set_sink(void (*sink)(std::string_view)) { current_sink = sink; }

void write(level l, std::string_view event, const nlohmann::json& fields) {
  if (!enabled(l)) return;
  nlohmann::json line = {{"time", timestamp()}, {"level", name(l)}, {"event", event}};
  if (fields.is_object())
    for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
  // Replace rather than throw on invalid UTF-8 coming from the outside world.
  auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(output_mutex);
  if (current_sink) {
    current_sink(text);
  } else {
    text.push_back('\n');
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  }
}

void write(level l, std::string_view event) { write(l, event, nlohmann::json::object()); }
void debug(std::string_view e, const nlohmann::json& f) { write(level::debug, e, f); }
void info(std::string_view e, const nlohmann::json& f) { write(level::info, e, f); }
void warn(std::string_view e, const nlohmann::json& f) { write(level::warn, e, f); }
void error(std::string_view e, const nlohmann::json& f) { write(level::error, e, f); }

}  // namespace banditore::log
