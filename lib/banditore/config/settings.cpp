#include <banditore/config/settings.hpp>

#include <banditore/config/template_pricing.hpp>

#include <banditore/domain/alert_message.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace banditore::config {

namespace {

std::string trim_line_end(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

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
  return trim_line_end(text.str());
}

template <class Number>
Number read_number(const env_lookup& env, const std::string& name, Number fallback, Number min, Number max) {
  auto value = env(name);
  if (!value) return fallback;
  Number n{};
  auto [p, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc{} || p != value->data() + value->size() || n < min || n > max)
    throw std::invalid_argument(name + " must be a number from " + std::to_string(min) + " to " +
                                std::to_string(max) + ", got '" + *value + "'");
  return n;
}

void read_text(const env_lookup& env, const std::string& name, std::string& into) {
  if (auto v = env(name)) into = *v;
}

// How many placeholders a template body has, when they are {{1}}..{{n}}
// each at least once and nothing else.
std::optional<std::size_t> template_placeholders(std::string_view body) {
  std::vector<bool> seen;
  for (auto open = body.find("{{"); open != std::string_view::npos; open = body.find("{{", open + 2)) {
    const auto close = body.find("}}", open);
    if (close == std::string_view::npos) return std::nullopt;
    std::size_t n = 0;
    const auto digits = body.substr(open + 2, close - open - 2);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc{} || p != digits.data() + digits.size() || n == 0 || n > 100) return std::nullopt;
    if (seen.size() < n) seen.resize(n, false);
    seen[n - 1] = true;
  }
  for (bool b : seen)
    if (!b) return std::nullopt;
  return seen.size();
}

}  // namespace

env_lookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
}

settings from_environment(const env_lookup& env) {
  settings s;
  read_text(env, "BANDITORE_LISTEN", s.listen);
  read_text(env, "BANDITORE_DB", s.db_path);
  read_text(env, "BANDITORE_KEY_FILE", s.key_file);
  if (auto v = read_secret(env, "BANDITORE_DATA_KEYS")) s.data_keys = *v;
  read_text(env, "BANDITORE_WA_API_BASE", s.wa_api_base);
  read_text(env, "BANDITORE_WA_API_VERSION", s.wa_api_version);
  read_text(env, "BANDITORE_WA_PHONE_NUMBER_ID", s.wa_phone_number_id);
  if (auto v = read_secret(env, "BANDITORE_WA_TOKEN")) s.wa_token = *v;
  if (auto v = read_secret(env, "BANDITORE_WA_APP_SECRET")) s.wa_app_secret = *v;
  if (auto v = read_secret(env, "BANDITORE_WA_VERIFY_TOKEN")) s.wa_verify_token = *v;
  read_text(env, "BANDITORE_WA_CA_FILE", s.wa_ca_file);
  // 0 means no pacing at all: only for benchmarks against the simulator.
  s.wa_rate = static_cast<double>(read_number<int>(env, "BANDITORE_WA_RATE", 80, 0, 1000));
  s.wa_max_in_flight = read_number<std::size_t>(env, "BANDITORE_WA_MAX_IN_FLIGHT", 32, 1, 1024);
  s.wa_timeout_ms = read_number<std::int64_t>(env, "BANDITORE_WA_TIMEOUT_MS", s.wa_timeout_ms, 100, 300000);
  s.wa_pair_pause_ms = read_number<std::int64_t>(env, "BANDITORE_WA_PAIR_PAUSE_MS", s.wa_pair_pause_ms, 100, 600000);
  read_text(env, "BANDITORE_WA_TEMPLATE_NAME", s.wa_template_name);
  read_text(env, "BANDITORE_WA_TEMPLATE_LANGUAGE", s.wa_template_language);
  read_text(env, "BANDITORE_WA_TEMPLATE_IMAGE_NAME", s.wa_template_image_name);
  read_text(env, "BANDITORE_WA_TEMPLATE_DOCUMENT_NAME", s.wa_template_document_name);
  // A template with a media header is sent only with an attachment: the
  // plain template still carries every other alert.
  if (s.wa_template_name.empty() && (!s.wa_template_image_name.empty() || !s.wa_template_document_name.empty()))
    throw std::invalid_argument(
        "BANDITORE_WA_TEMPLATE_IMAGE_NAME and BANDITORE_WA_TEMPLATE_DOCUMENT_NAME need BANDITORE_WA_TEMPLATE_NAME, "
        "the template of alerts without an attachment");
  if (auto v = env("BANDITORE_WA_TEMPLATE_PARAMS")) {
    s.wa_template_params.clear();
    std::string_view rest = *v;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto item = std::string(rest.substr(0, comma));
      if (!domain::known_template_parameter(item))
        throw std::invalid_argument("BANDITORE_WA_TEMPLATE_PARAMS lists title, text, category, severity, town, time or link, got '" + item + "'");
      s.wa_template_params.push_back(item);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  read_text(env, "BANDITORE_WA_TEMPLATE_BODY", s.wa_template_body);
  if (!s.wa_template_body.empty()) {
    // WhatsApp answers 132000 to a send whose parameter count differs from
    // the template's: found here, at start-up, instead of at every send.
    const auto placeholders = template_placeholders(s.wa_template_body);
    if (!placeholders)
      throw std::invalid_argument("BANDITORE_WA_TEMPLATE_BODY must number its placeholders {{1}}, {{2}}, ... in order");
    if (*placeholders != s.wa_template_params.size())
      throw std::invalid_argument("BANDITORE_WA_TEMPLATE_BODY has " + std::to_string(*placeholders) +
                                  " placeholders but BANDITORE_WA_TEMPLATE_PARAMS names " +
                                  std::to_string(s.wa_template_params.size()) + " parameters");
  }
  read_text(env, "BANDITORE_WA_TEMPLATE_MODE", s.wa_template_mode);
  if (s.wa_template_mode != "window" && s.wa_template_mode != "always")
    throw std::invalid_argument("BANDITORE_WA_TEMPLATE_MODE must be 'window' or 'always'");
  if (auto v = env("BANDITORE_WA_TIER")) {
    if (*v == "unlimited") s.wa_tier = 0;
    else if (*v == "250" || *v == "2000" || *v == "10000" || *v == "100000") s.wa_tier = std::stoll(*v);
    else throw std::invalid_argument("BANDITORE_WA_TIER must be 250, 2000, 10000, 100000 or unlimited");
  }
  read_text(env, "BANDITORE_WA_TEMPLATE_CATEGORY", s.wa_template_category);
  if (std::find(std::begin(template_categories), std::end(template_categories), s.wa_template_category) ==
      std::end(template_categories))
    throw std::invalid_argument("BANDITORE_WA_TEMPLATE_CATEGORY must be utility, marketing or authentication");
  read_text(env, "BANDITORE_WA_MARKET", s.wa_market);
  if (s.wa_market.size() != 2 ||
      !std::all_of(s.wa_market.begin(), s.wa_market.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    throw std::invalid_argument("BANDITORE_WA_MARKET must be two capital letters, the recipients' country (IT)");
  read_text(env, "BANDITORE_WA_TEMPLATE_PRICES", s.wa_template_prices);
  try {
    parse_template_prices(s.wa_template_prices);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("BANDITORE_WA_TEMPLATE_PRICES: ") + e.what());
  }
  read_text(env, "BANDITORE_WA_PRICE_CURRENCY", s.wa_price_currency);
  if (s.wa_price_currency.size() != 3 ||
      !std::all_of(s.wa_price_currency.begin(), s.wa_price_currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    throw std::invalid_argument("BANDITORE_WA_PRICE_CURRENCY must be an ISO 4217 code (EUR, USD)");
  read_text(env, "BANDITORE_NUMBERS_FILE", s.numbers_file);
  if (!s.numbers_file.empty()) {
    if (env("BANDITORE_WA_PHONE_NUMBER_ID") || env("BANDITORE_WA_TOKEN") || env("BANDITORE_WA_TOKEN_FILE"))
      throw std::invalid_argument(
          "BANDITORE_NUMBERS_FILE and BANDITORE_WA_PHONE_NUMBER_ID/BANDITORE_WA_TOKEN are both set: with a numbers "
          "file every number, its id and its token are declared there");
    std::ifstream in(s.numbers_file, std::ios::binary);
    if (!in) throw std::invalid_argument("BANDITORE_NUMBERS_FILE: cannot read " + s.numbers_file);
    std::ostringstream text;
    text << in.rdbuf();
    try {
      s.numbers = parse_numbers(text.str());
      load_number_tokens(s.numbers, env);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("BANDITORE_NUMBERS_FILE: ") + e.what());
    }
  }
  read_text(env, "BANDITORE_QUIET_HOURS", s.quiet_hours);
  read_text(env, "BANDITORE_LOG_LEVEL", s.log_level);
  read_text(env, "BANDITORE_LANGUAGE", s.language);
  read_text(env, "BANDITORE_TOWN", s.town);
  read_text(env, "BANDITORE_REPLIES_FILE", s.replies_file);
  read_text(env, "BANDITORE_SEVERITY_LABELS", s.severity_labels);
  try {
    domain::parse_severity_labels(s.severity_labels);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("BANDITORE_SEVERITY_LABELS: ") + e.what());
  }
  s.duplicate_window_seconds =
      read_number<std::int64_t>(env, "BANDITORE_DUPLICATE_WINDOW", s.duplicate_window_seconds, 0, 24 * 3600);
  s.help_interval_seconds = read_number<std::int64_t>(env, "BANDITORE_HELP_INTERVAL", s.help_interval_seconds, 0, 365LL * 24 * 3600);
  // ---- What the replies tell citizens ----
  read_text(env, "BANDITORE_OFFICE_CONTACT", s.office_contact);
  read_text(env, "BANDITORE_PRIVACY_URL", s.privacy_url);
  if (!s.privacy_url.empty() && !s.privacy_url.starts_with("https://") && !s.privacy_url.starts_with("http://"))
    throw std::invalid_argument("BANDITORE_PRIVACY_URL must be an http(s) URL");
  if (s.privacy_url.find_first_of(" \t\r\n") != std::string::npos)
    throw std::invalid_argument("BANDITORE_PRIVACY_URL must not contain spaces or line breaks");
  if (s.office_contact.size() > 300)
    throw std::invalid_argument("BANDITORE_OFFICE_CONTACT must be at most 300 bytes");
  // ---- end of the replies' block ----
  s.max_connections = read_number<std::size_t>(env, "BANDITORE_MAX_CONNECTIONS", s.max_connections, 1, 100000);
  s.max_body_bytes = read_number<std::size_t>(env, "BANDITORE_MAX_BODY_BYTES", s.max_body_bytes, 1024, 64 * 1024 * 1024);
  s.http_idle_timeout_ms = read_number<std::int64_t>(env, "BANDITORE_HTTP_IDLE_TIMEOUT_MS", s.http_idle_timeout_ms, 100, 3600000);
  s.http_read_timeout_ms = read_number<std::int64_t>(env, "BANDITORE_HTTP_READ_TIMEOUT_MS", s.http_read_timeout_ms, 100, 3600000);
  s.max_connections_per_address = read_number<std::size_t>(env, "BANDITORE_MAX_CONNECTIONS_PER_ADDRESS", s.max_connections_per_address, 1, 100000);
  s.inbound_direct_limit = read_number<std::size_t>(env, "BANDITORE_INBOUND_DIRECT_LIMIT", s.inbound_direct_limit, 0, 256);
  s.reserved_connections = read_number<std::size_t>(env, "BANDITORE_RESERVED_CONNECTIONS", s.reserved_connections, 0, 100000);
  read_text(env, "BANDITORE_TRUSTED_PROXIES", s.trusted_proxies);

  if (s.language != "it" && s.language != "en")
    throw std::invalid_argument("BANDITORE_LANGUAGE must be 'it' or 'en', got '" + s.language + "'");
  // Graph API versions read "v" major "." minor (v24.0): anything else
  // would put a typo in the path of every request.
  {
    const auto& v = s.wa_api_version;
    const auto dot = v.find('.');
    auto digits = [](std::string_view d) {
      return !d.empty() && d.find_first_not_of("0123456789") == std::string_view::npos;
    };
    if (v.size() < 4 || v[0] != 'v' || dot == std::string::npos ||
        !digits(std::string_view(v).substr(1, dot - 1)) || !digits(std::string_view(v).substr(dot + 1)))
      throw std::invalid_argument("BANDITORE_WA_API_VERSION must be a Graph API version such as v24.0, got '" + v +
                                  "'");
  }
  for (char c : s.wa_phone_number_id)
    if (c < '0' || c > '9') throw std::invalid_argument("BANDITORE_WA_PHONE_NUMBER_ID must be digits");
  if (s.db_path.empty()) throw std::invalid_argument("BANDITORE_DB must not be empty");
  return s;
}

std::vector<business_number> serving_numbers(const settings& s) {
  if (!s.numbers.empty()) return s.numbers;
  business_number n;
  n.id = "default";
  n.phone_number_id = s.wa_phone_number_id;
  n.token = s.wa_token;
  n.template_name = s.wa_template_name;
  n.template_image_name = s.wa_template_image_name;
  n.template_document_name = s.wa_template_document_name;
  n.template_language = s.wa_template_language;
  n.rate = s.wa_rate;
  n.tier = s.wa_tier;
  return {n};
}

std::vector<std::string> missing_for_serve(const settings& s) {
  std::vector<std::string> out;
  if (s.numbers.empty() && s.wa_phone_number_id.empty())
    out.push_back("BANDITORE_WA_PHONE_NUMBER_ID (or BANDITORE_NUMBERS_FILE) is not set");
  if (s.numbers.empty() && s.wa_token.empty()) out.push_back("BANDITORE_WA_TOKEN (or BANDITORE_WA_TOKEN_FILE) is not set");
  if (s.wa_app_secret.empty()) out.push_back("BANDITORE_WA_APP_SECRET (or BANDITORE_WA_APP_SECRET_FILE) is not set");
  if (s.wa_verify_token.empty()) out.push_back("BANDITORE_WA_VERIFY_TOKEN (or BANDITORE_WA_VERIFY_TOKEN_FILE) is not set");
  return out;
}

const std::vector<setting_doc>& documented_settings() {
  static const std::vector<setting_doc> docs = {
      {"BANDITORE_LISTEN", "127.0.0.1:8080", "address:port of the HTTP server"},
      {"BANDITORE_DB", "./var/banditore.db", "SQLite database file"},
      {"BANDITORE_KEY_FILE", "./var/banditore.key", "data keys (encryption, HMAC), created on first run with mode 0600"},
      {"BANDITORE_DATA_KEYS", "", "data keys given inline (key-file format); the key file is then not used", true},
      {"BANDITORE_WA_API_BASE", "https://graph.facebook.com", "Cloud API base URL (the simulator's in tests)"},
      {"BANDITORE_WA_API_VERSION", "v24.0", "Graph API version, the path prefix (vNN.N; see docs/configuration.md to move to a newer one)"},
      {"BANDITORE_WA_PHONE_NUMBER_ID", "", "the business number's id"},
      {"BANDITORE_WA_TOKEN", "", "bearer token for sending", true},
      {"BANDITORE_NUMBERS_FILE", "", "JSON file declaring several business numbers, each with its towns, token, rate, tier and portfolio (docs/configuration.md, \"Several numbers\"); replaces BANDITORE_WA_PHONE_NUMBER_ID and BANDITORE_WA_TOKEN"},
      {"BANDITORE_WA_APP_SECRET", "", "key of X-Hub-Signature-256", true},
      {"BANDITORE_WA_VERIFY_TOKEN", "", "token of the webhook GET handshake", true},
      {"BANDITORE_WA_CA_FILE", "", "extra trusted CA certificates (PEM) for the Cloud API connection"},
      {"BANDITORE_WA_RATE", "80", "messages per second allowed to the number (1-1000; 20 for a number shared with the Business app; 0 = no pacing, simulator benchmarks only)"},
      {"BANDITORE_WA_MAX_IN_FLIGHT", "32", "send requests in flight at once; also the crash re-send bound"},
      {"BANDITORE_WA_TIMEOUT_MS", "15000", "deadline of one Cloud API request, in milliseconds"},
      {"BANDITORE_WA_PAIR_PAUSE_MS", "6000", "how long a person's message waits after WhatsApp's pair rate limit (131056), in milliseconds"},
      {"BANDITORE_WA_TEMPLATE_NAME", "", "approved utility template for broadcasts outside the 24-hour window"},
      {"BANDITORE_WA_TEMPLATE_LANGUAGE", "it", "the template's language code"},
      {"BANDITORE_WA_TEMPLATE_IMAGE_NAME", "", "approved template with the same language and body and an IMAGE header: an alert with an image reaches people outside the window as it, the image in its header; without it they get the plain template without the image"},
      {"BANDITORE_WA_TEMPLATE_DOCUMENT_NAME", "", "the same with a DOCUMENT header, for an alert with a PDF"},
      {"BANDITORE_WA_TEMPLATE_PARAMS", "title,text", "alert fields that fill the template's body parameters, in order (title, text, category, severity, town, time, link); each is folded to one line"},
      {"BANDITORE_WA_TEMPLATE_BODY", "", "the approved template's body with its {{1}}..{{n}}: checked against the parameters, its fixed text counted in WhatsApp's 1024 characters"},
      {"BANDITORE_WA_TEMPLATE_MODE", "window", "window: free text inside the 24-hour window, template outside; always: template for every broadcast"},
      {"BANDITORE_WA_TIER", "250", "WhatsApp messaging limit: unique people per moving day outside their window (250, 2000, 10000, 100000, unlimited)"},
      {"BANDITORE_WA_TEMPLATE_CATEGORY", "utility", "the template's category as WhatsApp approved it (utility, marketing, authentication): what the preview prices"},
      {"BANDITORE_WA_MARKET", "IT", "the recipients' market (country, two letters) for the preview's price"},
      {"BANDITORE_WA_TEMPLATE_PRICES", "", "price per delivered template by category and market, e.g. utility:IT=0.03,marketing:IT=0.0691: the preview's cost estimate (none without it)"},
      {"BANDITORE_WA_PRICE_CURRENCY", "EUR", "the currency of BANDITORE_WA_TEMPLATE_PRICES (ISO 4217)"},
      {"BANDITORE_QUIET_HOURS", "", "local hours (Europe/Rome) when minor alerts wait, e.g. 22:00-07:00"},
      {"BANDITORE_LOG_LEVEL", "info", "debug, info, warn, error or off"},
      {"BANDITORE_LANGUAGE", "it", "language of the replies: it or en"},
      {"BANDITORE_TOWN", "", "the municipality's name, used in the replies and as the sender of alerts (\"Lodi\" reads \"Comune di Lodi\")"},
      {"BANDITORE_SEVERITY_LABELS", "", "symbol and word per severity on the phone, e.g. extreme=🔴 ALLERTA ROSSA;minor=ℹ️ AVVISO (defaults: 🔴 ALLERTA ROSSA, 🟠 ALLERTA ARANCIONE, 🟡 ATTENZIONE, ℹ️ AVVISO)"},
      {"BANDITORE_DUPLICATE_WINDOW", "600", "seconds within which the same alert posted again without an Idempotency-Key is refused with 409 (0 = never)"},
      {"BANDITORE_REPLIES_FILE", "", "JSON object overriding reply texts (subscribed, already_subscribed, unsubscribed, not_subscribed, help)"},
      {"BANDITORE_HELP_INTERVAL", "86400", "seconds before the help text is sent again to a number whose messages ask for nothing"},
      // ---- What the replies tell citizens ----
      {"BANDITORE_OFFICE_CONTACT", "", "where citizens write or call instead of this unstaffed number, named in the replies (e.g. l'URP, 0776 123456)"},
      {"BANDITORE_PRIVACY_URL", "", "the privacy notice's URL, linked from the subscribe reply"},
      // ---- end of the replies' block ----
      {"BANDITORE_MAX_CONNECTIONS", "512", "open HTTP connections at most"},
      {"BANDITORE_MAX_BODY_BYTES", "1048576", "largest request body accepted"},
      {"BANDITORE_HTTP_IDLE_TIMEOUT_MS", "10000", "how long a connection may stay open without sending a byte (at first and between requests); from a request's first byte its head has three times as long"},
      {"BANDITORE_HTTP_READ_TIMEOUT_MS", "15000", "how long a request body may take to arrive"},
      {"BANDITORE_MAX_CONNECTIONS_PER_ADDRESS", "32", "open HTTP connections one client address may hold; more get 503 (trusted proxies are exempt)"},
      {"BANDITORE_RESERVED_CONNECTIONS", "64", "connections accepted beyond BANDITORE_MAX_CONNECTIONS for /webhook/, /healthz and /readyz only"},
      {"BANDITORE_TRUSTED_PROXIES", "", "reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For names the client; from anyone else it is ignored"},
  };
  return docs;
}

}  // namespace banditore::config
