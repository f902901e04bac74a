// The service's configuration, read from the environment (the names in
// DESIGN.md's "Stable interfaces"), validated once at start-up. Every
// secret may also be given as NAME_FILE, the path of a file holding it.
#pragma once

#include <banditore/config/numbers.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace banditore::config {

struct settings {
  std::string listen = "127.0.0.1:8080";
  std::string db_path = "./var/banditore.db";
  std::string key_file = "./var/banditore.key";
  std::string data_keys;  // inline key material; when set the key file is not used

  std::string wa_api_base = "https://graph.facebook.com";
  std::string wa_api_version = "v24.0";
  std::string wa_phone_number_id;
  std::string wa_token;
  std::string wa_app_secret;
  std::string wa_verify_token;
  std::string wa_ca_file;
  double wa_rate = 80;
  std::size_t wa_max_in_flight = 32;
  std::int64_t wa_timeout_ms = 15000;
  // How long a recipient waits after WhatsApp's pair rate limit (131056,
  // about one message every 6 s to the same person).
  std::int64_t wa_pair_pause_ms = 6000;
  // Broadcasts outside the 24-hour window need an approved template.
  std::string wa_template_name;
  // Templates approved with wa_template_name's language and body and an
  // IMAGE (DOCUMENT) header: an alert with an image (a PDF) goes to people
  // outside their window as this template with its attachment. Empty: as
  // wa_template_name, without the attachment (docs/meta-setup.md).
  std::string wa_template_image_name;
  std::string wa_template_document_name;
  std::string wa_template_language = "it";
  std::vector<std::string> wa_template_params = {"title", "text"};
  // The approved template's body as written in WhatsApp Manager, with its
  // {{1}}..{{n}} placeholders: its fixed text counts against WhatsApp's
  // 1024 characters, and its placeholders must match wa_template_params.
  std::string wa_template_body;
  std::string wa_template_mode = "window";  // window | always
  std::int64_t wa_tier = 250;               // 0 = unlimited
  // What the preview says an alert costs (config/template_pricing.hpp).
  std::string wa_template_category = "utility";
  std::string wa_market = "IT";
  std::string wa_template_prices;  // "utility:IT=0.03,..."; empty: no estimate
  std::string wa_price_currency = "EUR";
  std::string quiet_hours;                  // "22:00-07:00"; empty = none
  // Several business numbers (config/numbers.hpp), from the JSON file named
  // by BANDITORE_NUMBERS_FILE; empty: the one number above serves every town.
  std::string numbers_file;
  std::vector<business_number> numbers;

  std::string log_level = "info";
  std::string language = "it";         // it | en: the reply texts
  std::string town;                    // shown in the reply texts and alerts
  std::string severity_labels;         // "extreme=🔴 ALLERTA ROSSA;..." overriding the defaults
  std::int64_t duplicate_window_seconds = 600;  // the same alert again within it: 409
  std::string replies_file;            // JSON overriding some reply texts
  std::int64_t help_interval_seconds = 24 * 3600;
  // ---- What the replies tell citizens (domain/replies.hpp) ----
  std::string office_contact;  // where to write or call instead of this number
  std::string privacy_url;     // the privacy notice, linked from the subscribe reply
  // ---- end of the replies' block ----

  std::size_t max_connections = 512;
  std::size_t max_body_bytes = 1024 * 1024;
  std::int64_t http_idle_timeout_ms = 10000;
  std::int64_t http_read_timeout_ms = 15000;
  // Hostile clients (docs/security.md): connections one address may hold,
  // connections kept for the webhook and health checks, and the reverse
  // proxies whose X-Forwarded-For names the client ("10.0.0.1,fd00::/8").
  std::size_t max_connections_per_address = 32;
  std::size_t reserved_connections = 64;
  std::string trusted_proxies;
  // Citizens' messages arriving while more webhooks carrying messages than
  // this wait for their answers are kept in the inbound journal and applied after the answer
  // (store/sqlite/inbound_journal.hpp); 0 journals them all.
  std::size_t inbound_direct_limit = 4;
};

// Reads a variable: a missing one is nullopt. getenv by default; tests pass
// their own.
using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;
env_lookup process_environment();

// Throws std::invalid_argument naming the variable and the problem (never
// its value when it is a secret).
settings from_environment(const env_lookup& env);

// The numbers the service sends and receives on: those of the numbers
// file, or the one of BANDITORE_WA_* (id "default", serving every town,
// with the deployment's rate, tier and template).
std::vector<business_number> serving_numbers(const settings&);

// Problems that stop `serve` (missing credentials), one line each.
std::vector<std::string> missing_for_serve(const settings&);

struct setting_doc {
  std::string name;
  std::string default_value;
  std::string meaning;
  bool secret = false;
};
const std::vector<setting_doc>& documented_settings();

}  // namespace banditore::config
