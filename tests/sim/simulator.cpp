#include "simulator.hpp"

#include "multipart_form.hpp"

#include <banditore/http/client.hpp>
#include <banditore/json/sax.hpp>
#include <banditore/log/log.hpp>
#include <banditore/testing/webhook_bodies.hpp>
#include <banditore/whatsapp/cloud_api.hpp>
#include <banditore/whatsapp/credentials_check.hpp>
#include <banditore/whatsapp/signature.hpp>
#include <banditore/whatsapp/webhook.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <deque>
#include <map>
#include <random>
#include <unordered_map>

namespace wa_sim {

namespace asio = boost::asio;
namespace http = banditore::http;
namespace wa = banditore::whatsapp;
namespace testing = banditore::testing;
using json = nlohmann::json;
using steady = std::chrono::steady_clock;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

namespace {

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

http::response meta_error(int http_status, int code, std::string message, std::string details = {}) {
  wa::provider_error e;
  e.code = code;
  e.type = code == 190 ? "OAuthException" : "OAuthException";
  e.message = std::move(message);
  e.details = std::move(details);
  return http::json_response(http_status, wa::make_error_body(e));
}

http::response bad_control(std::string detail) {
  return http::problem(400, "Bad Request", detail);
}

struct inbox_entry {
  std::string id;
  std::string type;
  std::string text;
  std::string template_name;
  std::string template_language;
  std::vector<std::string> parameters;
  std::vector<std::pair<std::string, std::string>> buttons;  // interactive: (id, title) in order, buttons or list rows
  std::string list_button;  // a list message: the button that opens the list
  std::string media_id, mime_type, filename;  // an image or document message (text: its caption)
  std::int64_t at_ms = 0;
  std::string from_number;  // the business number's phone_number_id it was sent from
};

struct fault {
  std::string kind;     // "5xx", "502", "timeout", "delivered_timeout", "429", or "code"
  int code = 0;         // for "code"
  int remaining = -1;   // -1: until cleared (rate-based)
  double rate = 1.0;
  std::string to;       // only this recipient, if set
  int retry_after = 0;  // for "429": seconds sent as Retry-After, 0 = no header
};

// One call of the send endpoint as it arrived: when, to whom, and the answer.
// Lets a test see the spacing of the requests, not only what was accepted.
struct request_entry {
  std::int64_t at_ms = 0;
  std::string phone_number_id;  // the business number of the path
  std::string to;
  int status = 0;
  int code = 0;  // Meta's error.code, 0 when accepted
};

// A send request read as (path, value) pairs while it is parsed: "to",
// "text.body", "template.components[].parameters[].text". wa-sim answers
// every send, and the fan-out benchmark runs it on the cores banditore
// uses; building each request's tree was its largest single cost.
class flat_json {
 public:
  struct entry {
    std::string path;
    json::value_t type;
    std::string text;  // strings only
  };

  // False when the text is not one JSON value.
  bool parse(std::string_view text) {
    entries_.reserve(16);  // a send request has about a dozen values
    return banditore::json_events::parse(text, *this);
  }

  // The value at path (the last one, as a parsed object keeps a repeated
  // key's last value), or nothing.
  const entry* find(std::string_view path) const {
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
      if (it->path == path) return &*it;
    return nullptr;
  }
  std::string string_at(std::string_view path) const {
    auto e = find(path);
    return e && e->type == json::value_t::string ? e->text : std::string{};
  }
  const std::vector<entry>& entries() const { return entries_; }

  // The SAX interface json_events::parse calls.
  bool null() { return add(json::value_t::null); }
  bool boolean(bool) { return add(json::value_t::boolean); }
  bool number_integer(json::number_integer_t) { return add(json::value_t::number_integer); }
  bool number_unsigned(json::number_unsigned_t) { return add(json::value_t::number_unsigned); }
  bool number_float(json::number_float_t, const json::string_t&) { return add(json::value_t::number_float); }
  bool string(json::string_t& value) { return add(json::value_t::string, &value); }
  bool start_object(std::size_t) { return open(json::value_t::object); }
  bool start_array(std::size_t) { return open(json::value_t::array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& k) {
    key_ = k;
    return true;
  }

 private:
  struct frame {
    std::size_t path_size;  // where the container's own path ends
    bool array;
  };
  std::string value_path() const {
    if (frames_.empty()) return {};
    if (frames_.back().array) return path_ + "[]";
    return path_.empty() ? key_ : path_ + "." + key_;
  }
  bool add(json::value_t type, json::string_t* value = nullptr) {
    entries_.push_back({value_path(), type, value ? std::move(*value) : std::string{}});
    return true;
  }
  bool open(json::value_t type) {
    auto path = value_path();
    entries_.push_back({path, type, {}});
    frames_.push_back({path_.size(), type == json::value_t::array});
    path_ = std::move(path);
    return true;
  }
  bool close() {
    path_.resize(frames_.back().path_size);
    frames_.pop_back();
    return true;
  }

  std::vector<entry> entries_;
  std::vector<frame> frames_;
  std::string path_, key_;
};

// A number of at most 15 digits as an integer key, its length kept so
// "0123" and "123" differ; 0 for anything else. A million recipients are
// counted with no string per key.
std::uint64_t number_key(std::string_view digits) {
  if (digits.empty() || digits.size() > 15) return 0;
  std::uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n * 16 + digits.size();
}

// ---- Meta's rules for what a message says ----------------------------------
// Written from Meta's documentation and from what Cloud API users were
// answered, not from banditore's code, so a test fails when banditore sends
// what a real number would refuse.

// Characters as WhatsApp counts them: code points (bytes that do not
// continue a UTF-8 sequence).
std::size_t characters(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// A text message's body holds 1 to 4096 characters
// (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages ,
// text object: "body ... Maximum 4096 characters").
std::optional<http::response> check_text_body(const std::string& text) {
  if (text.empty()) return meta_error(400, 100, "(#100) The parameter text['body'] is required.");
  if (characters(text) > 4096)
    return meta_error(400, 100, "(#100) Invalid parameter", "Param text['body'] must be at most 4096 characters long.");
  return std::nullopt;
}

// A body parameter of a template may not hold a newline, a tab or more
// than four consecutive spaces: the whole send is answered 400 with the
// details "Param text cannot have new-line/tab characters or more than 4
// consecutive spaces" (netflie/whatsapp-cloud-api#201, the error Meta
// returned; reported as (#100) Invalid parameter, and by newer Graph API
// versions as #132018, which banditore classifies the same way).
bool has_forbidden_whitespace(std::string_view text) {
  int spaces = 0;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t') return true;
    spaces = c == ' ' ? spaces + 1 : 0;
    if (spaces > 4) return true;
  }
  return false;
}

// An approved template as registered with PUT /sim/templates/{name}: its
// language and body, with {{1}}..{{n}}.
struct template_definition {
  std::string language;
  std::string body;
  std::size_t placeholders = 0;
  // The header's format as approved: "IMAGE" or "DOCUMENT" (a media
  // header, sent only with its media), empty for none.
  std::string header;
};

std::size_t count_placeholders(std::string_view body) {
  std::size_t most = 0;
  for (auto open = body.find("{{"); open != std::string_view::npos; open = body.find("{{", open + 2)) {
    auto close = body.find("}}", open);
    if (close == std::string_view::npos) break;
    std::size_t n = 0;
    for (char c : body.substr(open + 2, close - open - 2)) n = c >= '0' && c <= '9' ? n * 10 + std::size_t(c - '0') : 0;
    most = std::max(most, n);
  }
  return most;
}

// The body as the phone shows it, parameters in place.
std::string hydrate(std::string_view body, const std::vector<std::string>& params) {
  std::string out;
  for (auto open = body.find("{{"); open != std::string_view::npos; open = body.find("{{")) {
    out.append(body.substr(0, open));
    auto close = body.find("}}", open);
    std::size_t n = 0;
    for (char c : body.substr(open + 2, close - open - 2)) n = n * 10 + std::size_t(c - '0');
    if (n >= 1 && n <= params.size()) out.append(params[n - 1]);
    body = body.substr(close + 2);
  }
  out.append(body);
  return out;
}

// ---- Media: what an upload may be ------------------------------------------
// The types the Cloud API takes, judged by the file part's own
// Content-Type, and the error with which it refuses another: Meta's
// answer as users report it (fbsamples/whatsapp-api-examples#10,
// MissaelAnda/laravel-whatsapp#4: "(#100) Param file must be a file with
// one of the following types: ... Received file of type
// 'application/octet-stream'."). Sizes from "Supported media types"
// (developers.facebook.com/docs/whatsapp/cloud-api/reference/media):
// audio and video 16 MB, documents 100 MB, images 5 MB, stickers (webp)
// 500 KB.
constexpr std::size_t megabyte = 1024 * 1024;
struct media_type_rule {
  std::string_view mime_type;
  std::string_view message_type;  // the message type that may carry it
  std::size_t max_bytes;
};
constexpr media_type_rule media_types[] = {
    {"audio/aac", "audio", 16 * megabyte},
    {"audio/mp4", "audio", 16 * megabyte},
    {"audio/mpeg", "audio", 16 * megabyte},
    {"audio/amr", "audio", 16 * megabyte},
    {"audio/ogg", "audio", 16 * megabyte},
    {"audio/opus", "audio", 16 * megabyte},
    {"application/vnd.ms-powerpoint", "document", 100 * megabyte},
    {"application/msword", "document", 100 * megabyte},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document", 100 * megabyte},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "document", 100 * megabyte},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "document", 100 * megabyte},
    {"application/pdf", "document", 100 * megabyte},
    {"text/plain", "document", 100 * megabyte},
    {"application/vnd.ms-excel", "document", 100 * megabyte},
    {"image/jpeg", "image", 5 * megabyte},
    {"image/png", "image", 5 * megabyte},
    {"image/webp", "sticker", 500 * 1024},
    {"video/mp4", "video", 16 * megabyte},
    {"video/3gpp", "video", 16 * megabyte},
};

const media_type_rule* media_rule_of(std::string_view mime_type) {
  for (const auto& r : media_types)
    if (r.mime_type == mime_type) return &r;
  return nullptr;
}

std::string unsupported_media_message(std::string_view received) {
  std::string list;
  for (const auto& r : media_types) list.append(list.empty() ? "" : ", ").append(r.mime_type);
  return "(#100) Param file must be a file with one of the following types: " + list + ". Received file of type '" +
         std::string(received) + "'.";
}

// A media message's caption holds at most 1024 characters
// (developers.facebook.com/documentation/business-messaging/whatsapp/messages/image-messages:
// "Media asset caption text. Maximum 1024 characters"; the same for documents).
constexpr std::size_t max_media_caption = 1024;
// ---- end of media rules ----

// ---- end of Meta's rules ---------------------------------------------------

// ---- Interactive reply buttons --------------------------------------------
// Meta's rules for an interactive message of type "button"
// (developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-reply-buttons-messages):
// body.text 1-1024 characters, 1-3 buttons of type "reply", each reply.id
// 1-256 characters and reply.title 1-20 characters, ids and titles unique;
// header (text at most 60) and footer (at most 60) optional. A missing
// required parameter is answered (#100) like any other; a value out of its
// limits with 131009 "Parameter value is not valid"
// (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Meta's answer to a value outside its limits.
http::response invalid_parameter(std::string details) {
  return meta_error(400, 131009, "(#131009) Parameter value is not valid", std::move(details));
}

// What every interactive message has: body.text of 1-1024 characters, and
// optional header and footer texts of at most 60.
std::optional<http::response> check_interactive_texts(const flat_json& body) {
  const auto* text = body.find("interactive.body.text");
  if (!text || text->type != json::value_t::string)
    return meta_error(400, 100, "(#100) The parameter interactive['body']['text'] is required.");
  if (text->text.empty() || code_points(text->text) > 1024)
    return invalid_parameter("Body text length invalid. Min length: 1, Max length: 1024");
  if (auto footer = body.find("interactive.footer.text"); footer && code_points(footer->text) > 60)
    return invalid_parameter("Footer text length invalid. Min length: 1, Max length: 60");
  if (auto header = body.find("interactive.header.text"); header && code_points(header->text) > 60)
    return invalid_parameter("Header text length invalid. Min length: 1, Max length: 60");
  return std::nullopt;
}

// ---- Interactive list messages ---------------------------------------------
// Meta's rules for an interactive message of type "list"
// (developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-list-messages,
// and the Cloud API's own SDK, whatsapp.github.io/WhatsApp-Nodejs-SDK):
// body.text 1-1024 characters (the SDK's limit; the newer page allows
// 4096, the stricter holds for both), header text and footer at most 60,
// action.button 1-20 characters, 1-10 sections and 1-10 rows in all, a
// section title at most 24 characters and required when there are several
// sections, each row an id of 1-200 characters unique in the message, a
// title of 1-24 characters and an optional description of at most 72.
std::optional<http::response> check_list(const flat_json& body, inbox_entry& entry) {
  if (auto refused = check_interactive_texts(body)) return refused;
  const auto* button = body.find("interactive.action.button");
  if (!button || button->type != json::value_t::string)
    return meta_error(400, 100, "(#100) The parameter interactive['action']['button'] is required.");
  if (button->text.empty() || code_points(button->text) > 20)
    return invalid_parameter("Button text length invalid. Min length: 1, Max length: 20");
  std::size_t sections = 0, rows = 0;
  std::vector<std::string> section_titles, ids, titles, descriptions;
  std::vector<std::size_t> row_fields;  // fields seen per row: id and title required
  for (const auto& e : body.entries()) {
    if (e.path == "interactive.action.sections[]" && e.type == json::value_t::object) ++sections;
    if (e.path == "interactive.action.sections[].title") section_titles.push_back(e.text);
    if (e.path == "interactive.action.sections[].rows[]" && e.type == json::value_t::object) ++rows;
    if (e.path == "interactive.action.sections[].rows[].id") ids.push_back(e.text);
    if (e.path == "interactive.action.sections[].rows[].title") titles.push_back(e.text);
    if (e.path == "interactive.action.sections[].rows[].description") descriptions.push_back(e.text);
  }
  if (sections == 0) return meta_error(400, 100, "(#100) The parameter interactive['action']['sections'] is required.");
  if (sections > 10) return invalid_parameter("Too many sections. Min: 1, Max: 10");
  if (sections > 1 && section_titles.size() != sections)
    return invalid_parameter("Section title is required when there is more than one section");
  for (const auto& t : section_titles)
    if (t.empty() || code_points(t) > 24) return invalid_parameter("Section title length invalid. Min length: 1, Max length: 24");
  if (rows == 0) return invalid_parameter("Total row count invalid. Min: 1, Max: 10");
  if (rows > 10) return invalid_parameter("Total row count invalid. Min: 1, Max: 10");
  if (ids.size() != rows || titles.size() != rows)
    return meta_error(400, 100, "(#100) Each row needs an id and a title");
  for (const auto& d : descriptions)
    if (code_points(d) > 72) return invalid_parameter("Row description length invalid. Max length: 72");
  for (std::size_t i = 0; i < rows; ++i) {
    if (ids[i].empty() || code_points(ids[i]) > 200) return invalid_parameter("Row id length invalid. Min length: 1, Max length: 200");
    if (titles[i].empty() || code_points(titles[i]) > 24)
      return invalid_parameter("Row title length invalid. Min length: 1, Max length: 24");
    for (std::size_t j = 0; j < i; ++j)
      if (ids[j] == ids[i]) return invalid_parameter("Row ids must be unique");
    entry.buttons.emplace_back(ids[i], titles[i]);
  }
  entry.list_button = button->text;
  entry.text = body.string_at("interactive.body.text");
  return std::nullopt;
}
// ---- end of interactive list messages ---------------------------------------

std::optional<http::response> check_reply_buttons(const flat_json& body, inbox_entry& entry) {
  const auto kind = body.string_at("interactive.type");
  if (kind.empty()) return meta_error(400, 100, "(#100) The parameter interactive['type'] is required.");
  if (kind == "list") return check_list(body, entry);
  if (kind != "button") return meta_error(400, 100, "(#100) Unsupported interactive type for this simulator: " + kind);
  if (auto refused = check_interactive_texts(body)) return refused;
  std::size_t buttons = 0;
  std::vector<std::string> types, ids, titles;
  for (const auto& e : body.entries()) {
    if (e.path == "interactive.action.buttons[]" && e.type == json::value_t::object) ++buttons;
    if (e.path == "interactive.action.buttons[].type") types.push_back(e.text);
    if (e.path == "interactive.action.buttons[].reply.id") ids.push_back(e.text);
    if (e.path == "interactive.action.buttons[].reply.title") titles.push_back(e.text);
  }
  if (buttons == 0) return meta_error(400, 100, "(#100) The parameter interactive['action']['buttons'] is required.");
  if (buttons > 3) return invalid_parameter("Too many buttons. Min: 1, Max: 3");
  if (types.size() != buttons || ids.size() != buttons || titles.size() != buttons)
    return meta_error(400, 100, "(#100) Each button needs type 'reply' and reply['id'] and reply['title']");
  for (std::size_t i = 0; i < buttons; ++i) {
    if (types[i] != "reply") return invalid_parameter("Button type must be 'reply'");
    if (ids[i].empty() || code_points(ids[i]) > 256) return invalid_parameter("Button id length invalid. Min length: 1, Max length: 256");
    if (titles[i].empty() || code_points(titles[i]) > 20)
      return invalid_parameter("Button title length invalid. Min length: 1, Max length: 20");
    for (std::size_t j = 0; j < i; ++j) {
      if (ids[j] == ids[i]) return invalid_parameter("Button ids must be unique");
      if (titles[j] == titles[i]) return invalid_parameter("Button titles must be unique");
    }
    entry.buttons.emplace_back(ids[i], titles[i]);
  }
  entry.text = body.string_at("interactive.body.text");
  return std::nullopt;
}
// ---- end of interactive reply buttons ---------------------------------------

}  // namespace

struct simulator::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, options o) : io_(io), opt_(std::move(o)), random_(opt_.seed) {
    set_webhook(opt_.webhook_url);
    reset_bucket();
  }

  void set_webhook(const std::string& url) {
    opt_.webhook_url = url;
    webhook_.reset();
    if (!url.empty()) {
      http::client_options co;
      co.base = url;
      co.max_connections = webhook_connections();
      co.request_timeout = std::chrono::seconds(30);
      webhook_ = std::make_unique<http::client>(io_.get_executor(), co);
    }
  }

  void reset_bucket() { buckets_.clear(); }

  // Throughput per number, as a token bucket with a short burst allowance:
  // Meta counts it per business phone number ("Throughput",
  // developers.facebook.com/documentation/business-messaging/whatsapp/throughput).
  bool take_token(const std::string& phone_number_id) {
    if (opt_.rate_limit <= 0) return true;
    auto now = steady::now();
    auto [it, fresh] = buckets_.try_emplace(phone_number_id);
    auto& b = it->second;
    const double capacity = std::max(5.0, opt_.rate_limit / 5.0);
    if (fresh) {
      b.tokens = capacity;
      b.refilled = now;
    }
    b.tokens = std::min(capacity, b.tokens + std::chrono::duration<double>(now - b.refilled).count() * opt_.rate_limit);
    b.refilled = now;
    if (b.tokens < 1.0) return false;
    b.tokens -= 1.0;
    return true;
  }

  // ---- Several business numbers ----
  // The main number (options) and the others, each with its own token.
  // Meta answers a token it does not know, or one without access to the
  // number in the path, 401 with an OAuthException (code 190), and a
  // number it does not know 400 with code 100
  // (developers.facebook.com/docs/graph-api/guides/error-handling).
  const sim_number* number_of(std::string_view phone_number_id) {
    main_number_ = {opt_.phone_number_id, opt_.token, opt_.display_number};
    if (phone_number_id == main_number_.phone_number_id) return &main_number_;
    for (const auto& n : opt_.more_numbers)
      if (n.phone_number_id == phone_number_id) return &n;
    return nullptr;
  }
  bool known_token(std::string_view token) {
    if (token == opt_.token) return true;
    for (const auto& n : opt_.more_numbers)
      if (n.token == token) return true;
    return false;
  }
  std::string display_of(const std::string& phone_number_id) {
    const auto* n = number_of(phone_number_id);
    return n ? n->display_number : "390000000099";
  }
  // nullopt when the request's token may act on the number of its path;
  // otherwise Meta's answer.
  std::optional<http::response> refuse_credentials(http::request& req, const char* verb) {
    auto token = req.bearer_token();
    const auto& id = req.path_params["phone_number_id"];
    if (!token || !known_token(*token)) {
      bump("rejected_auth");
      return meta_error(401, 190, "Invalid OAuth access token - Cannot parse access token");
    }
    const auto* number = number_of(id);
    if (!number) {
      bump("rejected_invalid");
      return meta_error(400, 100, std::string("Unsupported ") + verb + " request. Object with ID '" + id +
                                      "' does not exist, cannot be loaded due to missing permissions, or does not "
                                      "support this operation.");
    }
    if (number->token != *token) {
      bump("rejected_auth");
      bump("rejected_wrong_number");
      return meta_error(401, 190, "Invalid OAuth access token - the token does not grant access to phone number " + id);
    }
    return std::nullopt;
  }
  sim_number main_number_;
  // ---- end of several business numbers ----

  std::optional<fault> next_fault(const std::string& to) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
      if (!it->to.empty() && it->to != to) continue;
      if (it->remaining == 0) continue;
      if (it->rate < 1.0 && unit(random_) >= it->rate) continue;
      fault f = *it;
      if (it->remaining > 0 && --it->remaining == 0) faults_.erase(it);
      return f;
    }
    return std::nullopt;
  }

  std::string new_wamid(const std::string& to) {
    // Shaped like Meta's ids, which encode the recipient's number: a
    // protobuf-like record of the number and a random hex tail, in base64.
    // Built in place: one is made for every accepted message.
    std::string raw("\x1c\x18", 2);
    raw.push_back(static_cast<char>(to.size()));
    raw += to;
    raw.append("\x15\x02\x00\x11\x18\x20", 6);
    for (int half = 0; half < 2; ++half)
      for (auto bits = random_(), i = decltype(bits){0}; i < 16; ++i, bits >>= 4)
        raw.push_back("0123456789ABCDEF"[bits & 0xF]);
    raw.push_back('\0');
    std::string id = "wamid.";
    const auto prefix = id.size();
    id.resize(prefix + 4 * ((raw.size() + 2) / 3) + 1);
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(id.data() + prefix),
                                  reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
    id.resize(prefix + static_cast<std::size_t>(n));
    return id;
  }

  // ---- Meta's template rules (see check_text_body above) ----
  // Each body parameter: type text with a text that is not empty (131008,
  // "Required parameter is missing") and holds no newline, tab or run of
  // five spaces. A registered template also checks the language and name
  // (132001), the number of parameters (132000, "Number of parameters does
  // not match the expected number of params") and the body's 1024
  // characters once filled (132005, "Translated text too long"); error codes
  // from https://developers.facebook.com/documentation/business-messaging/
  // whatsapp/support/error-codes/ , the 1024 from the template body limit.
  //
  // A media header (checked when the template is registered with one):
  // a template approved with a header of format IMAGE or DOCUMENT is sent
  // with a header component whose one parameter is that media,
  // {"type":"header","parameters":[{"type":"image","image":{"id":"..."}}]}
  // (developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates ,
  // "Media-based message templates"). Without it, or with another type,
  // Meta answers 132012 "Parameter format does not match format in the
  // created template" with the details "header: Format mismatch, expected
  // IMAGE, received UNKNOWN" (the error codes page: "Variable parameter
  // values formatted incorrectly"; the details as reported by developers,
  // e.g. Microsoft Q&A for Azure Communication Services). A template
  // without a media header takes no header parameter: 132000, the count of
  // the header's parameters does not match (0). wa-sim takes uploaded ids
  // only, as for media messages.
  std::optional<http::response> check_template(const flat_json& body, inbox_entry& entry) {
    bool in_body = false, open_parameter = false, has_text = false;
    bool in_header = false;
    std::size_t header_parameters = 0;
    std::string header_type;
    auto finish_parameter = [&]() -> std::optional<http::response> {
      if (open_parameter && in_body && !has_text)
        return meta_error(400, 131008, "(#131008) Required parameter is missing",
                          "Parameter of type text is missing text value");
      return std::nullopt;
    };
    // A component's members come in any order (JSON objects are
    // unordered; a writer that sorts keys puts "parameters" before
    // "type"), so each component's type is read first.
    std::vector<std::string> component_types;
    for (const auto& e : body.entries()) {
      if (e.path == "template.components[]") component_types.emplace_back();
      if (e.path == "template.components[].type" && !component_types.empty()) component_types.back() = e.text;
    }
    std::size_t component = 0;
    for (const auto& e : body.entries()) {
      if (e.path == "template.components[]") {
        if (auto r = finish_parameter()) return r;
        open_parameter = false;
        const auto& type = component_types[component++];
        in_body = type.empty() || type == "body";  // a component without a type is read as the body
        in_header = type == "header";
        continue;
      }
      if (e.path == "template.components[].parameters[]") {
        if (auto r = finish_parameter()) return r;
        open_parameter = true;
        has_text = false;
        if (in_header) ++header_parameters;
        continue;
      }
      if (in_header && e.path == "template.components[].parameters[].type") header_type = e.text;
      if (in_header && (e.path == "template.components[].parameters[].image.id" ||
                        e.path == "template.components[].parameters[].document.id"))
        entry.media_id = e.text;
      if (in_header && e.path == "template.components[].parameters[].document.filename") entry.filename = e.text;
      if (e.path == "template.components[].parameters[].text" && in_body) {
        if (e.type != json::value_t::string || e.text.find_first_not_of(' ') == std::string::npos)
          return meta_error(400, 131008, "(#131008) Required parameter is missing",
                            "Parameter of type text is missing text value");
        if (has_forbidden_whitespace(e.text))
          return meta_error(400, 100, "(#100) Invalid parameter",
                            "Param text cannot have new-line/tab characters or more than 4 consecutive spaces");
        has_text = true;
        entry.parameters.push_back(e.text);
      }
    }
    if (auto r = finish_parameter()) return r;
    // A header's media must be an upload of its type, as in a media message.
    if (!entry.media_id.empty()) {
      auto m = media_.find(entry.media_id);
      if (m == media_.end())
        return meta_error(400, 100, "(#100) Invalid parameter",
                          "Param header " + header_type + "['id'] is not a valid media id: " + entry.media_id);
      if (media_rule_of(m->second.mime_type)->message_type != header_type)
        return meta_error(400, 100, "(#100) Invalid parameter",
                          "media " + entry.media_id + " is " + m->second.mime_type + ", not a " + header_type);
      entry.mime_type = m->second.mime_type;
      entry.text = header_type;  // the inbox shows the header's kind
    }
    if (templates_.empty()) return std::nullopt;  // none registered: any name goes
    auto t = templates_.find(entry.template_name);
    if (t == templates_.end() || t->second.language != entry.template_language)
      return meta_error(404, 132001, "(#132001) Template name does not exist in the translation",
                        "template name (" + entry.template_name + ") does not exist in " + entry.template_language);
    const auto& format = t->second.header;
    if (!format.empty()) {
      std::string received = "UNKNOWN";
      if ((header_type == "image" || header_type == "document") && !entry.media_id.empty()) {
        received = header_type;
        for (auto& c : received) c = static_cast<char>(c - 'a' + 'A');
      }
      if (received != format)
        return meta_error(400, 132012, "(#132012) Parameter format does not match format in the created template",
                          "header: Format mismatch, expected " + format + ", received " + received);
    } else if (header_parameters > 0) {
      return meta_error(400, 132000, "(#132000) Number of parameters does not match the expected number of params",
                        "header: number of localizable_params (" + std::to_string(header_parameters) +
                            ") does not match the expected number of params (0)");
    }
    if (entry.parameters.size() != t->second.placeholders)
      return meta_error(400, 132000, "(#132000) Number of parameters does not match the expected number of params",
                        "body: number of localizable_params (" + std::to_string(entry.parameters.size()) +
                            ") does not match the expected number of params (" +
                            std::to_string(t->second.placeholders) + ")");
    if (characters(hydrate(t->second.body, entry.parameters)) > 1024)
      return meta_error(400, 132005, "(#132005) Translated text too long", "Translated text is too long.");
    return std::nullopt;
  }

  http::response put_template(http::request& req) {
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded() || !in.is_object() || !in.contains("body") || !in["body"].is_string())
      return bad_control("body must be {\"language\": \"it\", \"body\": \"... {{1}} ...\"}");
    template_definition t;
    t.language = in.value("language", std::string("it"));
    t.body = in["body"].get<std::string>();
    t.placeholders = count_placeholders(t.body);
    if (in.contains("header")) {
      if (!in["header"].is_string() || (in["header"] != "IMAGE" && in["header"] != "DOCUMENT"))
        return bad_control("header is the format of a media header: \"IMAGE\" or \"DOCUMENT\" (none: leave it out)");
      t.header = in["header"].get<std::string>();
    }
    templates_[req.path_params["name"]] = std::move(t);
    return http::json_response(200, R"({"ok":true})");
  }
  // ---- end of Meta's template rules ----

  // ---- Media: uploads, and the messages that carry them ----
  struct uploaded_media {
    std::string mime_type;
    std::size_t size = 0;
  };
  std::map<std::string, uploaded_media, std::less<>> media_;
  std::uint64_t next_media_id_ = 4490709327384033;  // ids look like Meta's: 16 digits

  // POST /{version}/{phone-number-id}/media: multipart/form-data with
  // messaging_product=whatsapp and the file (its part's Content-Type says
  // what it is; a "type" field, when sent, must agree). Answers {"id": ...}
  // (developers.facebook.com/docs/whatsapp/cloud-api/reference/media,
  // "Upload Media").
  http::response upload_media(http::request& req) {
    bump("media_requests");
    if (auto refused = refuse_credentials(req, "post")) {
      if (refused->status == 400) bump("media_rejected");
      return std::move(*refused);
    }
    const auto boundary = testing::form_boundary(req.header("Content-Type"));
    if (boundary.empty()) {
      bump("media_rejected");
      return meta_error(400, 100, "(#100) The parameter file is required.", "the body is not multipart/form-data");
    }
    const auto form = testing::read_form(req.body, boundary);
    if (!form.parts) {
      bump("media_rejected");
      return meta_error(400, 100, "(#100) Invalid parameter", "multipart body not well formed: " + form.error);
    }
    const testing::form_part* file = nullptr;
    std::string product, declared;
    for (const auto& p : *form.parts) {
      if (p.name == "file") file = &p;
      else if (p.name == "messaging_product") product = p.body;
      else if (p.name == "type") declared = p.body;
    }
    if (product != "whatsapp") {
      bump("media_rejected");
      return meta_error(400, 100, "(#100) The parameter messaging_product is required.");
    }
    if (!file) {
      bump("media_rejected");
      return meta_error(400, 100, "(#100) The parameter file is required.");
    }
    const std::string received = file->content_type.empty() ? "application/octet-stream" : file->content_type;
    const auto* rule = media_rule_of(received);
    if (!rule) {
      bump("media_rejected");
      return meta_error(400, 100, unsupported_media_message(received));
    }
    if (!declared.empty() && declared != received) {
      bump("media_rejected");
      return meta_error(400, 100, "(#100) Invalid parameter",
                        "Param type (" + declared + ") does not match the file's type (" + received + ")");
    }
    if (file->body.empty() || file->body.size() > rule->max_bytes) {
      // Meta's wording for an oversized upload is not documented; 131053
      // is its "Media upload error" (cloud-api/support/error-codes).
      bump("media_rejected");
      return meta_error(400, 131053, "(#131053) Media upload error",
                        "file of " + std::to_string(file->body.size()) + " bytes; " + std::string(received) +
                            " takes 1 to " + std::to_string(rule->max_bytes));
    }
    const auto id = std::to_string(next_media_id_++);
    media_[id] = {received, file->body.size()};
    bump("media_uploaded");
    return http::json_response(200, json{{"id", id}}.dump());
  }

  // An image or document message: "id" of an uploaded file of a type that
  // message carries, a caption of at most max_media_caption characters.
  // wa-sim takes uploaded ids only (Meta fetches a "link" itself).
  std::optional<http::response> check_media_message(const flat_json& body, inbox_entry& entry) {
    const auto& type = entry.type;
    entry.media_id = body.string_at(type + ".id");
    if (entry.media_id.empty())
      return meta_error(400, 100, "(#100) The parameter " + type + "['id'] is required.",
                        "wa-sim takes uploaded media ids, not links");
    auto m = media_.find(entry.media_id);
    if (m == media_.end())
      return meta_error(400, 100, "(#100) Invalid parameter",
                        "Param " + type + "['id'] is not a valid media id: " + entry.media_id);
    if (media_rule_of(m->second.mime_type)->message_type != type)
      return meta_error(400, 100, "(#100) Invalid parameter",
                        "media " + entry.media_id + " is " + m->second.mime_type + ", not a " + type);
    entry.mime_type = m->second.mime_type;
    entry.text = body.string_at(type + ".caption");
    if (characters(entry.text) > max_media_caption)
      return meta_error(400, 100, "(#100) Invalid parameter",
                        "Param " + type + "['caption'] must be at most 1024 characters long.");
    if (type == "document") entry.filename = body.string_at("document.filename");
    return std::nullopt;
  }
  // ---- end of media ----

  // The answer to a send, at once; nothing for a timeout fault, which holds
  // the request past the caller's deadline. Not a coroutine: its locals
  // would make every send's frame too large for Asio's frame recycling.
  std::optional<http::response> answer_send(http::request& req) {
    bump("requests");
    if (auto refused = refuse_credentials(req, "post")) return refused;
    flat_json body;
    if (!body.parse(req.body) || body.entries().empty() || body.entries().front().type != json::value_t::object) {
      bump("rejected_invalid");
      return meta_error(400, 100, "(#100) Invalid parameter", "the request body is not a JSON object");
    }
    if (body.string_at("messaging_product") != "whatsapp") {
      bump("rejected_invalid");
      return meta_error(400, 100, "(#100) The parameter messaging_product is required.");
    }
    std::string to = body.string_at("to");
    const auto recipient = number_key(to);  // 0: not up to 15 digits
    if (recipient == 0) {
      bump("rejected_invalid");
      return meta_error(400, 100, "(#100) Invalid parameter", "to must be a phone number");
    }
    const auto* callback = body.find("biz_opaque_callback_data");
    if (callback && (callback->type != json::value_t::string || callback->text.size() > wa::max_callback_data)) {
      bump("rejected_invalid");
      return meta_error(400, 100, "(#100) Param biz_opaque_callback_data must be a string of at most 512 characters");
    }
    inbox_entry entry;
    entry.type = body.string_at("type");
    if (entry.type.empty()) entry.type = "text";
    if (entry.type == "text") {
      entry.text = body.string_at("text.body");
      if (auto refusal = check_text_body(entry.text)) {
        bump("rejected_invalid");
        return refusal;
      }
    } else if (entry.type == "template") {
      entry.template_name = body.string_at("template.name");
      entry.template_language = body.string_at("template.language.code");
      if (entry.template_name.empty() || entry.template_language.empty()) {
        bump("rejected_invalid");
        return meta_error(400, 100, "(#100) Param template['name'] and template['language']['code'] are required");
      }
      if (auto refusal = check_template(body, entry)) {
        bump("rejected_invalid");
        return refusal;
      }
    } else if (entry.type == "interactive") {  // ---- interactive reply buttons ----
      if (auto refused = check_reply_buttons(body, entry)) {
        bump("rejected_invalid");
        return refused;
      }
    } else if (entry.type == "image" || entry.type == "document") {  // ---- media messages ----
      if (auto refused = check_media_message(body, entry)) {
        bump("rejected_invalid");
        return refused;
      }
    } else {
      bump("rejected_invalid");
      return meta_error(400, 100, "(#100) Unsupported message type for this simulator: " + entry.type);
    }

    const auto f = next_fault(to);
    const bool hold_after_delivery = delivers_then_holds(f);
    if (f && !hold_after_delivery) {
      bump("faults_injected");
      if (f->kind == "timeout") return std::nullopt;
      if (f->kind == "5xx") return meta_error(500, 131000, "Something went wrong");
      if (f->kind == "502") {
        http::response bad_gateway;
        bad_gateway.status = 502;
        bad_gateway.content_type = "text/html";
        bad_gateway.body = "<html><body>502 Bad Gateway</body></html>";
        return bad_gateway;
      }
      if (f->kind == "429") {
        auto res = meta_error(429, 130429, "(#130429) Rate limit hit");
        if (f->retry_after > 0) res.headers.push_back({"Retry-After", std::to_string(f->retry_after)});
        return res;
      }
      return meta_error(400, f->code, "(#" + std::to_string(f->code) + ") injected error");
    }
    if (!take_token(req.path_params["phone_number_id"])) {
      bump("rejected_429");
      return meta_error(429, 130429, "(#130429) Rate limit hit",
                           "Cloud API message throughput has been reached.");
    }
    if (opt_.pair_interval_ms > 0) {
      auto now = steady::now();
      auto [it, fresh] = last_to_.try_emplace(to, now);
      if (!fresh && now - it->second < std::chrono::milliseconds(opt_.pair_interval_ms)) {
        bump("rejected_pair");
        return meta_error(400, 131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit");
      }
      it->second = now;
    }
    if (auto b = blocked_.find(to); b != blocked_.end())
      return meta_error(400, b->second, "(#" + std::to_string(b->second) + ") recipient cannot receive this message");

    entry.id = new_wamid(to);
    entry.at_ms = unix_ms();
    entry.from_number = req.path_params["phone_number_id"];
    bump("accepted");
    if (first_accept_ms_ == 0) first_accept_ms_ = entry.at_ms;
    last_accept_ms_ = entry.at_ms;
    ++received_[recipient];
    if (opt_.record_inbox) inboxes_[to].push_back(entry);
    if (opt_.statuses) queue_statuses(entry.id, to, body.string_at("biz_opaque_callback_data"), entry.from_number);
    if (hold_after_delivery) {
      bump("delivered_unanswered");
      return std::nullopt;
    }
    return http::json_response(200, wa::make_success_body(to, entry.id));
  }

  asio::awaitable<http::response> send_endpoint(http::request& req) {
    if (auto answer = answer_send(req)) co_return std::move(*answer);
    // Never answer in time: the caller's deadline fires.
    asio::steady_timer hold(io_, std::chrono::milliseconds(timeout_hold_ms_));
    co_await hold.async_wait(use_nothrow);
    co_return meta_error(504, 131000, "Something went wrong (held past the deadline)");
  }

  // Plain counters, looked up without building a key: bumped several times
  // for every request.
  void bump(std::string_view key, std::int64_t n = 1) {
    auto it = stats_.find(key);
    if (it == stats_.end()) it = stats_.emplace(std::string(key), 0).first;
    it->second += n;
  }

  // Kept with the inboxes: the million-message benchmark turns both off.
  asio::awaitable<http::response> logged_send(http::request& req) {
    request_entry e;
    e.at_ms = unix_ms();
    e.phone_number_id = req.path_params["phone_number_id"];
    if (opt_.record_inbox) {
      json body = json::parse(req.body, nullptr, false);
      if (body.is_object() && body.contains("to") && body["to"].is_string()) e.to = body["to"].get<std::string>();
    }
    auto res = co_await send_endpoint(req);
    if (opt_.record_inbox) {
      e.status = res.status;
      if (res.status != 200) {
        json err = json::parse(res.body, nullptr, false);
        if (err.is_object() && err.contains("error") && err["error"].is_object())
          e.code = err["error"].value("code", 0);
      }
      requests_.push_back(std::move(e));
    }
    co_return res;
  }

  // --- The business number's node: GET /{version}/{phone-number-id} ------
  // What banditore's readiness check reads. Meta answers a bad or expired
  // token 401 with code 190 (OAuthException) and an id the token cannot
  // see 400 with code 100, subcode 33; a good one gets the node's fields.
  // https://developers.facebook.com/docs/whatsapp/cloud-api/reference/phone-numbers/
  http::response phone_number_node(http::request& req) {
    bump("node_reads");
    auto token = req.bearer_token();
    const auto* node = number_of(req.path_params["phone_number_id"]);
    if (!token || !known_token(*token) || (node && node->token != *token)) {
      bump("rejected_auth");
      return meta_error(401, 190, "Invalid OAuth access token - Cannot parse access token");
    }
    if (!node) {
      wa::provider_error e;
      e.code = 100;
      e.subcode = 33;
      e.type = "GraphMethodException";
      e.message = "Unsupported get request. Object with ID '" + req.path_params["phone_number_id"] +
                  "' does not exist, cannot be loaded due to missing permissions, or does not support this operation.";
      return http::json_response(400, wa::make_error_body(e));
    }
    return http::json_response(200, wa::make_phone_number_info_body(node->phone_number_id, "Comune (wa-sim)",
                                                                    "+" + node->display_number));
  }
  // --- end of the business number's node ---------------------------------

  http::response requests() {
    json list = json::array();
    for (const auto& e : requests_)
      list.push_back({{"at", e.at_ms}, {"phone_number_id", e.phone_number_id}, {"to", e.to}, {"status", e.status},
                      {"code", e.code}});
    return http::json_response(200, json{{"requests", list}}.dump());
  }

  void queue_statuses(const std::string& id, const std::string& to, const std::string& callback_data,
                      const std::string& from_number) {
    auto ts = unix_seconds();
    auto make = [&](wa::delivery_status s, int code = 0, std::string title = {}) {
      wa::status_update u;
      u.id = id;
      u.recipient_id = to;
      u.phone_number_id = from_number;
      u.status = s;
      u.timestamp = ts;
      u.error_code = code;
      u.error_title = std::move(title);
      u.callback_data = callback_data;
      return u;
    };
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<wa::status_update> list;
    if (auto f = async_failures_.find(to); f != async_failures_.end()) {
      // Meta answers 200, then reports the failure in a status notification.
      list.push_back(make(wa::delivery_status::sent));
      list.push_back(make(wa::delivery_status::failed, f->second,
                          f->second == 131047 ? "Re-engagement message" : "Message undeliverable"));
    } else {
      list.push_back(make(wa::delivery_status::sent));
      if (unit(random_) >= chaos_skip_delivered_) list.push_back(make(wa::delivery_status::delivered));
      list.push_back(make(wa::delivery_status::read));
      if (unit(random_) < chaos_reorder_) std::reverse(list.begin(), list.end());
      if (unit(random_) < chaos_duplicate_) list.push_back(list.front());
    }
    enqueue_statuses(std::move(list));
  }

  // ---- Statuses posted as Meta posts them ------------------------------
  // Meta usually sends one status per webhook request, from several
  // connections at once, and retries a request not answered 200
  // (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components
  // "statuses"; https://developers.facebook.com/docs/graph-api/webhooks/getting-started
  // on retries). So: opt_.status_batch statuses per request (1 by default),
  // up to opt_.status_connections requests in flight, each status no
  // earlier than status_delay_ms_ after its send, and a request that fails
  // posted again a few times. Stats: statuses_posted counts statuses in
  // answered requests, status_webhooks the requests, status_retries the
  // requests posted again.
  struct pending_status {
    wa::status_update update;
    steady::time_point due;
    int attempts = 0;
  };
  static constexpr int status_attempts = 5;

  std::size_t webhook_connections() const {
    return static_cast<std::size_t>(std::max(8, opt_.status_connections + 4));
  }

  void enqueue_statuses(std::vector<wa::status_update> list) {
    const auto due = steady::now() + std::chrono::milliseconds(status_delay_ms_);
    for (auto& u : list) pending_statuses_.push_back({std::move(u), due, 0});
    start_status_posters();
  }

  void start_status_posters() {
    const auto wanted = std::max(1, opt_.status_connections);
    while (active_status_posters_ < wanted &&
           pending_statuses_.size() > static_cast<std::size_t>(active_status_posters_)) {
      ++active_status_posters_;
      asio::co_spawn(io_, status_poster(), asio::detached);
    }
  }

  // The statuses due now at the front of the queue, at most one batch.
  std::vector<pending_status> take_due_statuses() {
    std::vector<pending_status> batch;
    const auto size = static_cast<std::size_t>(std::max(1, opt_.status_batch));
    const auto now = steady::now();
    // One notification names one business number: a batch holds one's.
    while (!pending_statuses_.empty() && batch.size() < size && pending_statuses_.front().due <= now &&
           (batch.empty() || batch.front().update.phone_number_id == pending_statuses_.front().update.phone_number_id)) {
      batch.push_back(std::move(pending_statuses_.front()));
      pending_statuses_.pop_front();
    }
    return batch;
  }

  // One of the connections posting statuses; ends when none is left.
  asio::awaitable<void> status_poster() {
    auto self = shared_from_this();
    asio::steady_timer wait(io_);
    while (!pending_statuses_.empty()) {
      auto batch = take_due_statuses();
      if (batch.empty()) {
        wait.expires_at(pending_statuses_.front().due);
        co_await wait.async_wait(use_nothrow);
        continue;
      }
      std::vector<wa::status_update> updates;
      for (const auto& p : batch) updates.push_back(p.update);
      const auto from = updates.front().phone_number_id;
      auto body = testing::make_status_notification(from, display_of(from), updates);
      const std::string signature = "valid";
      const int status = co_await post_webhook(std::move(body), signature);
      if (status == 200) {
        bump("statuses_posted", static_cast<std::int64_t>(batch.size()));
        bump("status_webhooks");
        continue;
      }
      // Not taken: posted again later, as Meta does, a few times.
      const auto again = steady::now() + std::chrono::milliseconds(100 << std::min(batch.front().attempts, 4));
      for (auto& p : batch) {
        if (++p.attempts >= status_attempts) {
          bump("statuses_dropped");
          continue;
        }
        p.due = again;
        pending_statuses_.push_back(std::move(p));
      }
      bump("status_retries");
    }
    --active_status_posters_;
  }

  // "delivered_timeout": the message is accepted and delivered (inbox,
  // statuses) but the answer never comes in time, as a Cloud API call can
  // end; the caller cannot know, retries, and the citizen gets it twice.
  // Stats: delivered_unanswered counts them, so a test can tell its
  // duplicates from the ones a bug would make.
  bool delivers_then_holds(const std::optional<fault>& f) {
    if (!f || f->kind != "delivered_timeout") return false;
    bump("faults_injected");
    return true;
  }
  // ---- end of statuses posted as Meta posts them ------------------------

  asio::awaitable<int> post_webhook(std::string body, std::string signature) {
    if (!webhook_) {
      bump("webhook_unset");
      co_return 0;
    }
    std::vector<http::header_field> headers{{"Content-Type", "application/json"}};
    if (signature == "valid") headers.push_back({"X-Hub-Signature-256", wa::sign_body(body, opt_.app_secret)});
    if (signature == "wrong") headers.push_back({"X-Hub-Signature-256", wa::sign_body(body, opt_.app_secret + "x")});
    auto res = co_await webhook_->request("POST", "", std::move(body), std::move(headers));
    if (res.status != 200) bump("webhook_failures");
    bump("webhooks_posted");
    co_return res.status;
  }

  asio::awaitable<http::response> citizens_messages(http::request& req) {
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded() || !in.is_object() || !in.contains("messages") || !in["messages"].is_array())
      co_return bad_control("body must be {\"messages\": [{\"from\": ..., \"text\": ...}], \"batch\": bool}");
    std::vector<testing::simulated_message> msgs;
    for (const auto& m : in["messages"]) {
      if (!m.is_object() || !m.contains("from") || !m["from"].is_string())
        co_return bad_control("each message needs a string 'from'");
      testing::simulated_message s;
      s.from = m["from"].get<std::string>();
      s.text = m.value("text", std::string{});
      s.type = m.value("type", std::string("text"));
      s.profile_name = m.value("name", std::string("Cittadino"));
      s.id = m.value("id", std::string{});
      if (s.id.empty()) s.id = new_wamid(s.from);
      s.timestamp = m.value("timestamp", unix_seconds());
      msgs.push_back(std::move(s));
    }
    const bool batch = in.value("batch", false);
    const std::string signature = in.value("signature", std::string("valid"));
    // The business number written to: the main one unless "to" names
    // another (even one not configured, as a webhook for a number of the
    // same app that the service does not serve).
    const std::string to_number = in.value("to", opt_.phone_number_id);
    const std::string to_display = display_of(to_number);
    const int repeat = std::clamp(in.value("repeat", 1), 1, 10);
    json ids = json::array(), statuses = json::array();
    for (const auto& m : msgs) ids.push_back(m.id);
    for (int r = 0; r < repeat; ++r) {
      // Bodies are built before each co_await: g++ 12 mishandles braced
      // temporaries inside a co_await expression.
      std::vector<std::string> bodies;
      if (batch) {
        bodies.push_back(testing::make_text_message_notification(to_number, to_display, msgs));
      } else {
        for (const auto& m : msgs) {
          std::vector<testing::simulated_message> one{m};
          bodies.push_back(testing::make_text_message_notification(to_number, to_display, one));
        }
      }
      for (auto& body : bodies) {
        int status = co_await post_webhook(std::move(body), signature);
        statuses.push_back(status);
      }
    }
    json answer = json::object();
    answer["ids"] = ids;
    answer["webhook_status"] = statuses;
    co_return http::json_response(200, answer.dump());
  }

  http::response inbox(const std::string& wa_id) {
    json list = json::array();
    if (auto it = inboxes_.find(wa_id); it != inboxes_.end())
      for (const auto& e : it->second) {
        json m = {{"id", e.id}, {"type", e.type}, {"at", e.at_ms}, {"from_number", e.from_number}};
        if (e.type == "text") m["text"] = e.text;
        else if (e.type == "interactive") m["interactive"] = interactive_json(e);
        else if (e.type == "image" || e.type == "document") {
          json media = {{"id", e.media_id}, {"mime_type", e.mime_type}, {"caption", e.text}};
          if (e.type == "document") media["filename"] = e.filename;
          m[e.type] = media;
        }
        else {
          m["template"] = {{"name", e.template_name}, {"language", e.template_language}, {"parameters", e.parameters}};
          // A media header: what the phone shows above the template's text.
          if (!e.media_id.empty()) {
            json header = {{"type", e.text}, {"id", e.media_id}, {"mime_type", e.mime_type}};
            if (e.text == "document") header["filename"] = e.filename;
            m["template"]["header"] = header;
          }
        }
        list.push_back(std::move(m));
      }
    const auto key = number_key(wa_id);
    auto count = key && received_.count(key) ? received_.at(key) : 0;
    return http::json_response(200, json{{"wa_id", wa_id}, {"received", count}, {"messages", list}}.dump());
  }

  // ---- Interactive reply buttons: what the phone shows, and a tap ----
  static json interactive_json(const inbox_entry& e) {
    json buttons = json::array();
    for (const auto& [id, title] : e.buttons) buttons.push_back({{"id", id}, {"title", title}});
    if (!e.list_button.empty()) return {{"body", e.text}, {"list", {{"button", e.list_button}, {"rows", buttons}}}};
    return {{"body", e.text}, {"buttons", buttons}};
  }

  // The citizen taps a reply button of a message in their inbox (the last
  // one with buttons unless message_id names one): WhatsApp then posts an
  // interactive button_reply with the button's id and title, its context
  // naming the message tapped.
  asio::awaitable<http::response> tap(http::request& req) {
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded() || !in.is_object() || !in.contains("button") || !in["button"].is_string())
      co_return bad_control("body must be {\"button\": id or title, \"message_id\": optional}");
    const auto wa_id = req.path_params["wa_id"];
    const auto wanted = in["button"].get<std::string>();
    const auto message_id = in.value("message_id", std::string{});
    const inbox_entry* tapped = nullptr;
    const std::pair<std::string, std::string>* button = nullptr;
    if (auto it = inboxes_.find(wa_id); it != inboxes_.end())
      for (auto m = it->second.rbegin(); m != it->second.rend() && !tapped; ++m) {
        if (m->type != "interactive" || (!message_id.empty() && m->id != message_id)) continue;
        for (const auto& b : m->buttons)
          if (b.first == wanted || b.second == wanted) tapped = &*m, button = &b;
        if (!message_id.empty()) break;
      }
    if (!tapped) co_return http::problem(404, "Not Found", "no message with that button in this phone's inbox");
    testing::simulated_message tap_message;
    tap_message.from = wa_id;
    tap_message.id = new_wamid(wa_id);
    tap_message.type = "interactive";
    tap_message.text = button->second;
    tap_message.reply_id = button->first;
    tap_message.context_id = tapped->id;
    tap_message.list_reply = !tapped->list_button.empty();
    tap_message.profile_name = in.value("name", std::string("Cittadino"));
    tap_message.timestamp = unix_seconds();
    std::vector<testing::simulated_message> one{tap_message};
    // The tap answers the message's own business number.
    const auto to_number = tapped->from_number.empty() ? opt_.phone_number_id : tapped->from_number;
    auto body = testing::make_text_message_notification(to_number, display_of(to_number), one);
    // Named before the co_await: g++ 12 mishandles temporaries inside one.
    std::string signature = "valid";
    const int status = co_await post_webhook(std::move(body), std::move(signature));
    json answer = {{"id", tap_message.id}, {"webhook_status", status}};
    co_return http::json_response(200, answer.dump());
  }
  // ---- end of interactive reply buttons ----

  // The citizen shares a location (a pin, not a named place): WhatsApp
  // posts a message of type "location" with its latitude and longitude.
  asio::awaitable<http::response> share_location(http::request& req) {
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded() || !in.is_object() || !in.contains("latitude") || !in["latitude"].is_number() ||
        !in.contains("longitude") || !in["longitude"].is_number())
      co_return bad_control("body must be {\"latitude\": degrees, \"longitude\": degrees}");
    const auto wa_id = req.path_params["wa_id"];
    testing::simulated_message m;
    m.from = wa_id;
    m.id = new_wamid(wa_id);
    m.type = "location";
    m.latitude = in["latitude"].get<double>();
    m.longitude = in["longitude"].get<double>();
    m.profile_name = in.value("name", std::string("Cittadino"));
    m.timestamp = unix_seconds();
    std::vector<testing::simulated_message> one{m};
    const std::string to_number = in.value("to", opt_.phone_number_id);
    auto body = testing::make_text_message_notification(to_number, display_of(to_number), one);
    std::string signature = "valid";
    const int status = co_await post_webhook(std::move(body), std::move(signature));
    co_return http::json_response(200, json{{"id", m.id}, {"webhook_status", status}}.dump());
  }

  http::response stats() {
    json s = json::object();
    for (const auto& [key, n] : stats_) s[key] = n;
    std::size_t recipients = received_.size(), messages = 0, repeated = 0;
    for (const auto& [to, n] : received_) {
      messages += n;
      if (n > 1) ++repeated;
    }
    s["recipients"] = recipients;
    s["messages"] = messages;
    s["recipients_with_several"] = repeated;
    s["first_accept_ms"] = first_accept_ms_;
    s["last_accept_ms"] = last_accept_ms_;
    return http::json_response(200, s.dump());
  }

  http::response configure(http::request& req) {
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded() || !in.is_object()) return bad_control("body must be a JSON object");
    if (in.contains("webhook_url")) set_webhook(in["webhook_url"].get<std::string>());
    if (in.contains("token")) opt_.token = in["token"].get<std::string>();  // a revoked or rotated token
    if (in.contains("numbers")) {
      // The further business numbers, replacing those known before.
      if (!in["numbers"].is_array()) return bad_control("numbers must be an array");
      std::vector<sim_number> numbers;
      for (const auto& n : in["numbers"]) {
        if (!n.is_object() || !n.contains("phone_number_id") || !n["phone_number_id"].is_string() ||
            !n.contains("token") || !n["token"].is_string())
          return bad_control("each number needs a string phone_number_id and token");
        numbers.push_back({n["phone_number_id"].get<std::string>(), n["token"].get<std::string>(),
                           n.value("display_number", std::string("390000000002"))});
      }
      opt_.more_numbers = std::move(numbers);
    }
    if (in.contains("rate_limit")) { opt_.rate_limit = in["rate_limit"].get<double>(); reset_bucket(); }
    if (in.contains("pair_interval_ms")) opt_.pair_interval_ms = in["pair_interval_ms"].get<std::int64_t>();
    if (in.contains("statuses")) opt_.statuses = in["statuses"].get<bool>();
    if (in.contains("status_batch")) opt_.status_batch = std::max(1, in["status_batch"].get<int>());
    if (in.contains("status_connections")) {
      opt_.status_connections = std::max(1, in["status_connections"].get<int>());
      set_webhook(opt_.webhook_url);  // room for that many connections
    }
    if (in.contains("record_inbox")) opt_.record_inbox = in["record_inbox"].get<bool>();
    if (in.contains("status_delay_ms")) status_delay_ms_ = in["status_delay_ms"].get<int>();
    if (in.contains("timeout_hold_ms")) timeout_hold_ms_ = in["timeout_hold_ms"].get<int>();
    if (in.contains("chaos")) {
      const auto& c = in["chaos"];
      chaos_duplicate_ = c.value("duplicate", 0.0);
      chaos_reorder_ = c.value("reorder", 0.0);
      chaos_skip_delivered_ = c.value("skip_delivered", 0.0);
    }
    return http::json_response(200, R"({"ok":true})");
  }

  http::response add_fault(http::request& req) {
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded() || !in.is_object() || !in.contains("kind"))
      return bad_control("body must be {\"kind\": \"5xx|502|timeout|delivered_timeout|429|code\", \"count\": n | \"rate\": r, \"code\": c, \"to\": wa_id, \"retry_after\": s}");
    fault f;
    f.kind = in["kind"].get<std::string>();
    if (f.kind == "131026") { f.kind = "code"; f.code = 131026; }
    if (f.kind == "code") f.code = in.value("code", f.code);
    if (f.kind != "5xx" && f.kind != "502" && f.kind != "timeout" && f.kind != "delivered_timeout" && f.kind != "429" &&
        f.kind != "code")
      return bad_control("unknown fault kind");
    f.remaining = in.value("count", -1);
    f.rate = in.value("rate", 1.0);
    f.to = in.value("to", std::string{});
    f.retry_after = in.value("retry_after", 0);
    if (f.retry_after != 0 && f.kind != "429") return bad_control("retry_after goes with kind 429");
    if (f.remaining < 0 && f.rate >= 1.0 && f.to.empty())
      return bad_control("give a count, a rate below 1, or a recipient");
    faults_.push_back(f);
    return http::json_response(200, R"({"ok":true})");
  }

  http::response set_phone(http::request& req) {
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded() || !in.is_object()) return bad_control("body must be a JSON object");
    const auto& wa_id = req.path_params["wa_id"];
    if (in.contains("async_failure")) async_failures_[wa_id] = in["async_failure"].get<int>();
    if (in.contains("sync_failure")) blocked_[wa_id] = in["sync_failure"].get<int>();
    return http::json_response(200, R"({"ok":true})");
  }

  asio::io_context& io_;
  options opt_;
  std::mt19937_64 random_;
  std::unique_ptr<http::client> webhook_;
  std::unordered_map<std::string, std::vector<inbox_entry>> inboxes_;
  std::unordered_map<std::uint64_t, std::size_t> received_;  // by number_key
  std::unordered_map<std::string, steady::time_point> last_to_;
  std::unordered_map<std::string, int> async_failures_, blocked_;
  std::vector<fault> faults_;
  std::map<std::string, template_definition, std::less<>> templates_;
  std::vector<request_entry> requests_;
  std::deque<pending_status> pending_statuses_;
  int active_status_posters_ = 0;
  std::map<std::string, std::int64_t, std::less<>> stats_;
  struct bucket {
    double tokens = 0;
    steady::time_point refilled;
  };
  std::map<std::string, bucket, std::less<>> buckets_;  // by phone_number_id
  std::int64_t first_accept_ms_ = 0, last_accept_ms_ = 0;
  int status_delay_ms_ = 5;
  int timeout_hold_ms_ = 30000;
  double chaos_duplicate_ = 0, chaos_reorder_ = 0, chaos_skip_delivered_ = 0;
};

simulator::simulator(asio::io_context& io, options opts) : impl_(std::make_shared<impl>(io, std::move(opts))) {}
simulator::~simulator() = default;

void simulator::add_routes(http::router& routes) {
  auto self = impl_;
  routes.add("POST", "/{version}/{phone_number_id}/messages",
             [self](http::request& r) { return self->opt_.record_inbox ? self->logged_send(r) : self->send_endpoint(r); });
  routes.add("POST", "/{version}/{phone_number_id}/media", [self](http::request& r) -> asio::awaitable<http::response> {
    co_return self->upload_media(r);
  });
  routes.add("GET", "/{version}/{phone_number_id}", [self](http::request& r) -> asio::awaitable<http::response> {
    co_return self->phone_number_node(r);
  });
  routes.add("GET", "/sim/requests", [self](http::request&) -> asio::awaitable<http::response> {
    co_return self->requests();
  });
  routes.add("POST", "/sim/citizens/messages", [self](http::request& r) { return self->citizens_messages(r); });
  routes.add("GET", "/sim/inbox/{wa_id}", [self](http::request& r) -> asio::awaitable<http::response> {
    co_return self->inbox(r.path_params["wa_id"]);
  });
  routes.add("GET", "/sim/stats", [self](http::request&) -> asio::awaitable<http::response> {
    co_return self->stats();
  });
  routes.add("POST", "/sim/config", [self](http::request& r) -> asio::awaitable<http::response> {
    co_return self->configure(r);
  });
  routes.add("POST", "/sim/faults", [self](http::request& r) -> asio::awaitable<http::response> {
    co_return self->add_fault(r);
  });
  routes.add("DELETE", "/sim/faults", [self](http::request&) -> asio::awaitable<http::response> {
    self->faults_.clear();
    co_return http::json_response(200, R"({"ok":true})");
  });
  routes.add("PUT", "/sim/templates/{name}", [self](http::request& r) -> asio::awaitable<http::response> {
    co_return self->put_template(r);
  });
  routes.add("PUT", "/sim/phones/{wa_id}", [self](http::request& r) -> asio::awaitable<http::response> {
    co_return self->set_phone(r);
  });
  // ---- interactive reply buttons: a citizen taps one ----
  routes.add("POST", "/sim/phones/{wa_id}/tap", [self](http::request& r) { return self->tap(r); });
  routes.add("POST", "/sim/phones/{wa_id}/location", [self](http::request& r) { return self->share_location(r); });
}

}  // namespace wa_sim
