#include <banditore/log/log.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <charconv>
#include <cmath>
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

// The time of a line, to the millisecond. The text of the second is kept
// per thread and written again only when the second changes.
void append_timestamp(std::string& out) {
  using namespace std::chrono;
  thread_local std::time_t cached_second = -1;
  thread_local char cached[64];
  auto now = system_clock::now();
  auto secs = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  if (secs != cached_second) {
    std::tm tm{};
    gmtime_r(&secs, &tm);
    std::snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_second = secs;
  }
  out += cached;
  const char digits[] = {char('0' + ms / 100), char('0' + ms / 10 % 10), char('0' + ms % 10), 'Z'};
  out.append(digits, sizeof digits);
}

// A JSON string: printable ASCII without quote or backslash as it is,
// anything else through nlohmann's serializer (escapes, and invalid UTF-8
// replaced rather than thrown on: it may come from the outside world).
void append_string(std::string& out, std::string_view s) {
  bool plain = true;
  for (unsigned char c : s)
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  if (plain) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void append_value(std::string& out, const field& f) {
  if (const auto* s = std::get_if<std::string_view>(&f.value)) {
    append_string(out, *s);
  } else if (const auto* i = std::get_if<std::int64_t>(&f.value)) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *i);
    out.append(buf, end);
  } else if (const auto* d = std::get_if<double>(&f.value)) {
    // As nlohmann writes a double: null when not finite, else the shortest
    // text that reads back the same.
    out += std::isfinite(*d) ? nlohmann::json(*d).dump() : std::string("null");
  } else {
    out += std::get<bool>(f.value) ? "true" : "false";
  }
}

void emit(std::string& text) {
  std::lock_guard lock(output_mutex);
  if (current_sink) {
    current_sink(text);
  } else {
    text.push_back('\n');
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  }
}

// {"time":...,"level":...,"event":... without its closing brace.
std::string line_head(level l, std::string_view event) {
  std::string text;
  text.reserve(256);
  text += "{\"time\":\"";
  append_timestamp(text);
  text += "\",\"level\":\"";
  text += name(l);
  text += "\",\"event\":";
  append_string(text, event);
  return text;
}

bool own_key(std::string_view k) { return k == "time" || k == "level" || k == "event"; }
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
  bool replaces = false;
  if (fields.is_object())
    for (auto it = fields.begin(); it != fields.end() && !replaces; ++it) replaces = own_key(it.key());
  std::string text;
  if (replaces) {
    // A field named like the line's own keys takes their place, as it
    // always has: the slow way, rare.
    nlohmann::json merged = nlohmann::json::object();
    std::string time;
    append_timestamp(time);
    merged["time"] = time;
    merged["level"] = name(l);
    merged["event"] = event;
    for (auto it = fields.begin(); it != fields.end(); ++it) merged[it.key()] = it.value();
    text = merged.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    text = line_head(l, event);
    if (fields.is_object() && !fields.empty()) {
      // The object's own text from its first key on: its members follow
      // the line's, and its closing brace closes the line.
      const auto members = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      text += ',';
      text.append(members, 1, std::string::npos);
    } else {
      text += '}';
    }
  }
  emit(text);
}

void line(level l, std::string_view event, std::initializer_list<field> fields) {
  if (!enabled(l)) return;
  for (const auto& f : fields)
    if (own_key(f.name)) {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& g : fields)
        std::visit([&](const auto& v) { object[std::string(g.name)] = v; }, g.value);
      write(l, event, object);
      return;
    }
  auto text = line_head(l, event);
  for (const auto& f : fields) {
    text += ',';
    append_string(text, f.name);
    text += ':';
    append_value(text, f);
  }
  text += '}';
  emit(text);
}

void write(level l, std::string_view event) { write(l, event, nlohmann::json::object()); }
void debug(std::string_view e, const nlohmann::json& f) { write(level::debug, e, f); }
void info(std::string_view e, const nlohmann::json& f) { write(level::info, e, f); }
void warn(std::string_view e, const nlohmann::json& f) { write(level::warn, e, f); }
void error(std::string_view e, const nlohmann::json& f) { write(level::error, e, f); }

}  // namespace banditore::log
