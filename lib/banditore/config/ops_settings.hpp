// Settings of the operator features: who may read GET /metrics, and how
// long message records are kept. Read from the same environment as the
// rest (config/settings.hpp); the token may also come from a file.
#pragma once

#include <banditore/config/settings.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace banditore::config {

struct ops_settings {
  // Empty: /metrics answers loopback clients only. Set: it answers only
  // requests with Authorization: Bearer <token>, from anywhere.
  std::string metrics_token;
  std::int64_t retention_days = 90;
  // How often /readyz's view of the WhatsApp credentials is refreshed with
  // a Graph API read (whatsapp/credentials_check.hpp).
  std::int64_t wa_check_seconds = 300;
  // The towns' website news feeds whose items become drafts
  // (BANDITORE_NEWS_FEEDS "town=url,..."; a URL alone belongs to no town).
  struct news_feed {
    std::string town_id;
    std::string url;
  };
  std::vector<news_feed> news_feeds;
  std::int64_t news_poll_seconds = 900;

  std::int64_t retention_ms() const { return retention_days * 24 * 3600 * 1000; }
};

// Throws std::invalid_argument naming the variable (never the token).
ops_settings ops_from_environment(const env_lookup& env);

// The entries for `banditore --help` and docs/configuration.md.
const std::vector<setting_doc>& documented_ops_settings();

}  // namespace banditore::config
