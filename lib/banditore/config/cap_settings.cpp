#include <banditore/config/cap_settings.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <string_view>

namespace banditore::config {

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// "a, b,,c" -> {"a", "b", "c"}
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

template <std::size_t N>
std::string canonical(const std::string& name, std::string_view value,
                      const std::array<std::string_view, N>& allowed) {
  for (auto a : allowed)
    if (iequals(a, value)) return std::string(a);
  std::string list;
  for (auto a : allowed) list.append(list.empty() ? "" : ", ").append(a);
  throw std::invalid_argument(name + " must be one of " + list + ", got '" + std::string(value) + "'");
}

constexpr std::array<std::string_view, 5> statuses = {"Actual", "Exercise", "System", "Test", "Draft"};
constexpr std::array<std::string_view, 5> severities = {"Extreme", "Severe", "Moderate", "Minor", "Unknown"};
constexpr std::array<std::string_view, 5> urgencies = {"Immediate", "Expected", "Future", "Past", "Unknown"};
constexpr std::array<std::string_view, 5> certainties = {"Observed", "Likely", "Possible", "Unlikely", "Unknown"};

std::optional<double> read_double(std::string_view text) {
  auto t = trim(text);
  double v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc{} || p != t.data() + t.size()) return std::nullopt;
  return v;
}

cap::geo_point read_point(const std::string& name, const std::string& value) {
  auto comma = value.find(',');
  std::optional<double> lat, lon;
  if (comma != std::string::npos && value.find(',', comma + 1) == std::string::npos) {
    lat = read_double(std::string_view(value).substr(0, comma));
    lon = read_double(std::string_view(value).substr(comma + 1));
  }
  if (!lat || !lon || *lat < -90 || *lat > 90 || *lon < -180 || *lon > 180)
    throw std::invalid_argument(name + " must be 'lat,lon' in degrees (e.g. 45.4668,9.1905), got '" + value + "'");
  return {*lat, *lon};
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool all_alnum(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c); });
}

// An absolute http(s) URL with a host; the poller's client says more if it
// cannot use it.
bool http_url(std::string_view s) {
  for (std::string_view scheme : {"http://", "https://"})
    if (s.size() > scheme.size() && iequals(s.substr(0, scheme.size()), scheme))
      return s[scheme.size()] != '/' && s.find_first_of(" \t") == std::string_view::npos;
  return false;
}

bool language_tag(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalpha(c) || c == '-'; });
}

}  // namespace

cap_settings cap_settings::from_environment(const env_lookup& env) {
  cap_settings s;
  auto& p = s.policy;

  if (auto v = env("BANDITORE_CAP_STATUSES")) {
    p.broadcast_statuses.clear();
    for (const auto& item : split_list(*v)) p.broadcast_statuses.insert(canonical("BANDITORE_CAP_STATUSES", item, statuses));
    if (p.broadcast_statuses.empty())
      throw std::invalid_argument("BANDITORE_CAP_STATUSES must name at least one status (e.g. Actual)");
  }
  if (auto v = env("BANDITORE_CAP_MIN_SEVERITY")) p.min_severity = canonical("BANDITORE_CAP_MIN_SEVERITY", trim(*v), severities);
  if (auto v = env("BANDITORE_CAP_URGENCIES")) {
    p.urgencies.clear();
    for (const auto& item : split_list(*v)) p.urgencies.insert(canonical("BANDITORE_CAP_URGENCIES", item, urgencies));
    if (p.urgencies.empty())
      throw std::invalid_argument("BANDITORE_CAP_URGENCIES must name at least one urgency (e.g. Immediate)");
  }
  if (auto v = env("BANDITORE_CAP_MIN_CERTAINTY"))
    p.min_certainty = canonical("BANDITORE_CAP_MIN_CERTAINTY", trim(*v), certainties);
  if (auto v = env("BANDITORE_CAP_MIN_AWARENESS")) {
    auto t = trim(*v);
    if (iequals(t, "off")) {
      p.min_awareness_level = std::nullopt;
    } else if (t.size() == 1 && t[0] >= '1' && t[0] <= '4') {
      p.min_awareness_level = t[0] - '0';
    } else {
      throw std::invalid_argument("BANDITORE_CAP_MIN_AWARENESS must be 1 to 4 or 'off', got '" + *v + "'");
    }
  }
  if (auto v = env("BANDITORE_CAP_ISTAT")) {
    for (const auto& code : split_list(*v))
      if (!all_digits(code) || code.size() > 6)
        throw std::invalid_argument("BANDITORE_CAP_ISTAT must list ISTAT municipality codes of up to 6 digits, got '" +
                                    code + "'");
    p.where.istat_codes = split_list(*v);
  }
  if (auto v = env("BANDITORE_CAP_REGIONS")) {
    for (const auto& code : split_list(*v))
      if (!all_alnum(code))
        throw std::invalid_argument("BANDITORE_CAP_REGIONS must list EMMA_ID codes such as IT003, got '" + code + "'");
    p.where.region_codes = split_list(*v);
  }
  if (auto v = env("BANDITORE_CAP_POINT"); v && !trim(*v).empty()) p.where.point = read_point("BANDITORE_CAP_POINT", *v);
  if (auto v = env("BANDITORE_CAP_LANGUAGES")) {
    p.languages = split_list(*v);
    for (const auto& l : p.languages)
      if (!language_tag(l))
        throw std::invalid_argument("BANDITORE_CAP_LANGUAGES must list language tags such as it,en, got '" + l + "'");
    if (p.languages.empty()) throw std::invalid_argument("BANDITORE_CAP_LANGUAGES must name at least one language");
  }
  if (auto v = env("BANDITORE_CAP_FEEDS")) {
    s.feeds = split_list(*v);
    for (const auto& url : s.feeds)
      if (!http_url(url))
        throw std::invalid_argument("BANDITORE_CAP_FEEDS must list http:// or https:// URLs, got '" + url + "'");
  }
  if (auto v = env("BANDITORE_CAP_TOPICS")) {
    try {
      s.topics = cap::parse_cap_topic_map(*v);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("BANDITORE_CAP_TOPICS: ") + e.what());
    }
  }
  if (auto v = env("BANDITORE_CAP_POLL_SECONDS")) {
    auto t = trim(*v);
    long long n = 0;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (t.empty() || ec != std::errc{} || ptr != t.data() + t.size() || n < 1 || n > 86400)
      throw std::invalid_argument("BANDITORE_CAP_POLL_SECONDS must be a number from 1 to 86400, got '" + *v + "'");
    s.poll_interval = std::chrono::seconds(n);
  }
  return s;
}

const std::vector<setting_doc>& cap_setting_docs() {
  static const std::vector<setting_doc> docs = {
      {"BANDITORE_CAP_STATUSES", "Actual", "CAP statuses that may be broadcast; others are recorded only"},
      {"BANDITORE_CAP_MIN_SEVERITY", "Moderate", "least CAP severity broadcast (Extreme, Severe, Moderate, Minor, Unknown)"},
      {"BANDITORE_CAP_URGENCIES", "Immediate,Expected,Future", "CAP urgencies broadcast"},
      {"BANDITORE_CAP_MIN_CERTAINTY", "Likely", "least CAP certainty broadcast (Observed, Likely, Possible, Unlikely, Unknown)"},
      {"BANDITORE_CAP_MIN_AWARENESS", "3", "least MeteoAlarm awareness level broadcast (1-4; 3 = orange and red); off: use severity, urgency and certainty"},
      {"BANDITORE_CAP_ISTAT", "", "ISTAT codes of the municipalities served, comma-separated (015146 is Milano)"},
      {"BANDITORE_CAP_REGIONS", "", "MeteoAlarm EMMA_ID zones served, comma-separated (IT003 is Lombardia)"},
      {"BANDITORE_CAP_POINT", "", "lat,lon of a point of the territory (the town hall), tested against CAP polygons and circles"},
      {"BANDITORE_CAP_LANGUAGES", "it,en", "preferred languages of a CAP alert's texts, best first"},
      {"BANDITORE_CAP_TOPICS", "", "the topic of a CAP alert by category or event, e.g. Met=meteo,Transport=strade,event:Incendio boschivo=emergenze; otherwise emergenze"},
      {"BANDITORE_CAP_FEEDS", "", "Atom or RSS feeds of CAP documents to poll, comma-separated; empty: no polling"},
      {"BANDITORE_CAP_POLL_SECONDS", "300", "seconds between polls of each CAP feed (1-86400)"},
  };
  return docs;
}

}  // namespace banditore::config
