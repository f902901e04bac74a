#include <banditore/config/ops_settings.hpp>

#include <banditore/domain/comma_list.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace banditore::config {

namespace {

constexpr std::size_t min_token_length = 16;
constexpr std::int64_t max_retention_days = 3650;

std::optional<std::string> read_secret(const env_lookup& env, const std::string& name) {
  auto direct = env(name);
  auto file = env(name + "_FILE");
  if (direct && file) throw std::invalid_argument(name + " and " + name + "_FILE are both set: choose one");
  if (direct) return direct;
  if (!file) return std::nullopt;
  std::ifstream in(*file, std::ios::binary);
  if (!in) throw std::invalid_argument(name + "_FILE: cannot read " + *file);
  std::ostringstream text;
  text << in.rdbuf();
  auto value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

}  // namespace

ops_settings ops_from_environment(const env_lookup& env) {
  ops_settings s;
  if (auto token = read_secret(env, "BANDITORE_METRICS_TOKEN")) {
    // The token travels in an HTTP header and is compared as bytes: no
    // spaces or control characters, and long enough not to be guessed.
    for (unsigned char c : *token)
      if (c <= ' ' || c == 0x7f)
        throw std::invalid_argument("BANDITORE_METRICS_TOKEN must not contain spaces or control characters");
    if (token->size() < min_token_length)
      throw std::invalid_argument("BANDITORE_METRICS_TOKEN must be at least " + std::to_string(min_token_length) +
                                  " characters (e.g. openssl rand -hex 32)");
    s.metrics_token = std::move(*token);
  }
  if (auto days = env("BANDITORE_RETENTION_DAYS")) {
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(days->data(), days->data() + days->size(), n);
    if (ec != std::errc{} || p != days->data() + days->size() || n < 1 || n > max_retention_days)
      throw std::invalid_argument("BANDITORE_RETENTION_DAYS must be a number from 1 to " +
                                  std::to_string(max_retention_days) + ", got '" + *days + "'");
    s.retention_days = n;
  }
  if (auto seconds = env("BANDITORE_WA_CHECK_SECONDS")) {
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(seconds->data(), seconds->data() + seconds->size(), n);
    if (ec != std::errc{} || p != seconds->data() + seconds->size() || n < 1 || n > 86400)
      throw std::invalid_argument("BANDITORE_WA_CHECK_SECONDS must be a number from 1 to 86400, got '" + *seconds +
                                  "'");
    s.wa_check_seconds = n;
  }
  if (auto feeds = env("BANDITORE_NEWS_FEEDS")) {
    for (const auto& entry : domain::split_comma_list(*feeds)) {
      ops_settings::news_feed f;
      const auto eq = entry.find('=');
      // "lugo=https://..." names the town; a URL has no "=" before "://".
      if (eq != std::string::npos && eq < entry.find("://")) {
        f.town_id = entry.substr(0, eq);
        f.url = entry.substr(eq + 1);
      } else {
        f.url = entry;
      }
      const bool town_ok = std::all_of(f.town_id.begin(), f.town_id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      });
      if (!town_ok || !(f.url.starts_with("https://") || f.url.starts_with("http://")) || f.url.size() > 2000)
        throw std::invalid_argument(
            "BANDITORE_NEWS_FEEDS must list feeds as town=https://... (town: a town id such as lugo), separated by "
            "commas, got '" + entry + "'");
      s.news_feeds.push_back(std::move(f));
    }
  }
  if (auto seconds = env("BANDITORE_NEWS_POLL_SECONDS")) {
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(seconds->data(), seconds->data() + seconds->size(), n);
    if (ec != std::errc{} || p != seconds->data() + seconds->size() || n < 1 || n > 86400)
      throw std::invalid_argument("BANDITORE_NEWS_POLL_SECONDS must be a number from 1 to 86400, got '" + *seconds +
                                  "'");
    s.news_poll_seconds = n;
  }
  return s;
}

const std::vector<setting_doc>& documented_ops_settings() {
  static const std::vector<setting_doc> docs = {
      {"BANDITORE_METRICS_TOKEN", "",
       "bearer token for GET /metrics; unset, only loopback clients may read it", true},
      {"BANDITORE_RETENTION_DAYS", "90",
       "days inbound message records and finished outbox rows are kept (1-3650)"},
      {"BANDITORE_WA_CHECK_SECONDS", "300",
       "seconds between the checks of the WhatsApp credentials that /readyz reports (a Graph API read; 1-86400)"},
      {"BANDITORE_NEWS_FEEDS", "",
       "news feeds (RSS or Atom) of the towns' websites, as town=https://...,...: each new item becomes a draft, "
       "never sent by itself"},
      {"BANDITORE_NEWS_POLL_SECONDS", "900", "seconds between polls of each news feed (1-86400)"},
  };
  return docs;
}

}  // namespace banditore::config
