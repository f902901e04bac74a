#include <banditore/whatsapp/webhook.hpp>

#include <banditore/crypto/hash.hpp>
#include <banditore/json/sax.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <new>
#include <unordered_map>
#include <utility>

namespace banditore::whatsapp {

namespace {

using nlohmann::json;

// A shape error found while walking the body. It carries a path and a
// reason, never a value from the body, and never leaves this file:
// parse_notification turns it into parse_result::error.
struct shape_error {
  std::string what;
};

// Where in the body a value is ("entry[0].changes[0].value"), written out
// only when something there is refused: a well-formed body, read on every
// webhook, builds no path string at all. A place refers to its parent and
// to its key, which live on the caller's stack or in the document.
class place {
 public:
  place() = default;
  explicit place(std::string_view root) : key_(root) {}
  place(const place& parent, std::string_view key) : parent_(&parent), key_(key) {}
  place(const place& parent, std::size_t i) : parent_(&parent), index_(i), is_index_(true) {}

  std::string text() const {
    std::string out = parent_ ? parent_->text() : std::string();
    if (is_index_) return out + "[" + std::to_string(index_) + "]";
    if (!out.empty()) out += ".";
    return out.append(key_);
  }

 private:
  const place* parent_ = nullptr;
  std::string_view key_;
  std::size_t index_ = 0;
  bool is_index_ = false;
};

[[noreturn]] void fail(const place& path, std::string_view reason) {
  throw shape_error{path.text() + ": " + std::string(reason)};
}

place child(const place& path, std::string_view key) { return place(path, key); }

place index(const place& path, std::size_t i) { return place(path, i); }

const json& required(const json& object, std::string_view key, const place& path) {
  auto it = object.find(key);
  if (it == object.end()) fail(child(path, key), "missing");
  return *it;
}

const json* optional(const json& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json& as_object(const json& value, const place& path) {
  if (!value.is_object()) fail(path, "not an object");
  return value;
}

const json& as_array(const json& value, const place& path) {
  if (!value.is_array()) fail(path, "not an array");
  return value;
}

const std::string& as_string(const json& value, const place& path) {
  if (!value.is_string()) fail(path, "not a string");
  return value.get_ref<const std::string&>();
}

const std::string& required_string(const json& object, std::string_view key,
                                   const place& path) {
  return as_string(required(object, key, path), child(path, key));
}

// An identifier we key on (wamid, wa_id): an empty one would merge unrelated
// messages when de-duplicating.
const std::string& required_id(const json& object, std::string_view key, const place& path) {
  const auto& value = required_string(object, key, path);
  if (value.empty()) fail(child(path, key), "empty");
  return value;
}

// Meta writes Unix seconds as a JSON string of digits ("1700000000").
std::int64_t required_timestamp(const json& object, std::string_view key,
                                const place& path) {
  const auto field = child(path, key);
  const auto& digits = as_string(required(object, key, path), field);
  std::int64_t seconds = 0;
  const auto* first = digits.data();
  const auto* last = first + digits.size();
  auto [end, ec] = std::from_chars(first, last, seconds);
  if (digits.empty() || digits.front() == '-' || ec != std::errc{} || end != last)
    fail(field, "not a timestamp of digits");
  // The store keeps milliseconds: a bound here keeps seconds * 1000 from
  // overflowing (a 17-digit timestamp did) and no real message is dated
  // after the year 9999.
  if (seconds > max_timestamp_seconds) fail(field, "a timestamp after the year 9999");
  return seconds;
}

std::string bounded_text(const json& value, const place& path, const parse_limits& limits) {
  const auto& text = as_string(value, path);
  if (text.size() > limits.max_text_bytes)
    fail(path, "longer than " + std::to_string(limits.max_text_bytes) + " bytes");
  return text;
}

message_type message_type_from(std::string_view name) {
  static constexpr std::array known{
      message_type::text,     message_type::image,    message_type::audio,
      message_type::video,    message_type::document, message_type::sticker,
      message_type::location, message_type::contacts, message_type::reaction,
      message_type::button,   message_type::interactive, message_type::order,
      message_type::system,   message_type::unsupported};
  for (auto type : known)
    if (to_string(type) == name) return type;
  return message_type::unknown;
}

delivery_status delivery_status_from(std::string_view name) {
  static constexpr std::array known{delivery_status::sent, delivery_status::delivered,
                                    delivery_status::read, delivery_status::failed,
                                    delivery_status::deleted};
  for (auto status : known)
    if (to_string(status) == name) return status;
  return delivery_status::unknown;
}

// The words a command parser reads: the typed text, the label of a
// template's quick-reply button, or the title of an interactive reply.
std::string message_text(const json& message, message_type type, const place& path,
                         const parse_limits& limits) {
  switch (type) {
    case message_type::text: {
      const auto p = child(path, "text");
      const auto& text = as_object(required(message, "text", path), p);
      return bounded_text(required(text, "body", p), child(p, "body"), limits);
    }
    case message_type::button: {
      const auto p = child(path, "button");
      const auto& button = as_object(required(message, "button", path), p);
      return bounded_text(required(button, "text", p), child(p, "text"), limits);
    }
    case message_type::interactive: {
      const auto p = child(path, "interactive");
      const auto& interactive = as_object(required(message, "interactive", path), p);
      const auto& kind = required_string(interactive, "type", p);
      // nfm_reply (WhatsApp Flows) and later kinds carry no title to read.
      if (kind != "button_reply" && kind != "list_reply") return {};
      const auto rp = child(p, kind);
      const auto& reply = as_object(required(interactive, kind, p), rp);
      return bounded_text(required(reply, "title", rp), child(rp, "title"), limits);
    }
    default:
      return {};
  }
}

// The id a tap answers with: the reply button's or list row's id we sent,
// or a template quick-reply button's payload. Optional: a reply without
// one is still read by its title.
std::string reply_id(const json& message, message_type type, const place& path,
                     const parse_limits& limits) {
  if (type == message_type::button) {
    const auto p = child(path, "button");
    const auto* payload = optional(message.at("button"), "payload");
    return payload ? bounded_text(*payload, child(p, "payload"), limits) : std::string{};
  }
  if (type != message_type::interactive) return {};
  const auto& interactive = message.at("interactive");
  const auto& kind = interactive.at("type").get_ref<const std::string&>();
  if (kind != "button_reply" && kind != "list_reply") return {};
  const auto ip = child(path, "interactive");
  const auto p = child(ip, kind);
  const auto* id = optional(interactive.at(kind), "id");
  return id ? bounded_text(*id, child(p, "id"), limits) : std::string{};
}

// A location message's point: latitude and longitude are numbers within
// their ranges, as WhatsApp sends them (name and address, optional, are
// not read).
std::optional<shared_location> message_location(const json& message, message_type type, const place& path) {
  if (type != message_type::location) return std::nullopt;
  const auto p = child(path, "location");
  const auto& location = as_object(required(message, "location", path), p);
  auto degrees = [&](const char* name, double bound) {
    const auto& v = required(location, name, p);
    if (!v.is_number()) fail(child(p, name), "not a number");
    const double d = v.get<double>();
    if (!std::isfinite(d) || d < -bound || d > bound) fail(child(p, name), "out of range");
    return d;
  };
  return shared_location{degrees("latitude", 90), degrees("longitude", 180)};
}

inbound_message parse_message(const json& value, const place& path,
                              const std::string& phone_number_id,
                              const std::unordered_map<std::string, std::string>& names,
                              const parse_limits& limits) {
  as_object(value, path);
  inbound_message m;
  m.id = required_id(value, "id", path);
  m.from = required_id(value, "from", path);
  m.phone_number_id = phone_number_id;
  m.timestamp = required_timestamp(value, "timestamp", path);
  m.type = message_type_from(required_string(value, "type", path));
  m.text = message_text(value, m.type, path, limits);
  m.reply_id = reply_id(value, m.type, path, limits);
  m.location = message_location(value, m.type, path);
  if (auto it = names.find(m.from); it != names.end()) m.profile_name = it->second;
  return m;
}

status_update parse_status(const json& value, const place& path,
                           const std::string& phone_number_id) {
  as_object(value, path);
  status_update s;
  s.id = required_id(value, "id", path);
  s.status = delivery_status_from(required_string(value, "status", path));
  s.timestamp = required_timestamp(value, "timestamp", path);
  s.recipient_id = required_id(value, "recipient_id", path);
  s.phone_number_id = phone_number_id;
  if (const auto* callback = optional(value, "biz_opaque_callback_data"))
    s.callback_data = as_string(*callback, child(path, "biz_opaque_callback_data"));
  if (const auto* errors = optional(value, "errors")) {
    const auto p = child(path, "errors");
    as_array(*errors, p);
    if (!errors->empty()) {
      const auto ep = index(p, 0);
      const auto& first = as_object(errors->front(), ep);
      const auto& code = required(first, "code", ep);
      if (!code.is_number_integer() || code.get<std::int64_t>() < 0 ||
          code.get<std::int64_t>() > std::numeric_limits<int>::max())
        fail(child(ep, "code"), "not an error code");
      s.error_code = code.get<int>();
      if (const auto* title = optional(first, "title"))
        s.error_title = as_string(*title, child(ep, "title"));
    }
  }
  return s;
}

// Profile names by wa_id, from value.contacts[]. A contact without a
// profile name is kept out rather than refused: the name is a courtesy.
std::unordered_map<std::string, std::string> profile_names(const json& change_value,
                                                           const place& path) {
  std::unordered_map<std::string, std::string> names;
  const auto* contacts = optional(change_value, "contacts");
  if (!contacts) return names;
  const auto p = child(path, "contacts");
  as_array(*contacts, p);
  for (std::size_t i = 0; i < contacts->size(); ++i) {
    const auto cp = index(p, i);
    const auto& contact = as_object((*contacts)[i], cp);
    const auto& wa_id = required_string(contact, "wa_id", cp);
    const auto* profile = optional(contact, "profile");
    if (!profile) continue;
    as_object(*profile, child(cp, "profile"));
    if (const auto* name = optional(*profile, "name"))
      names[wa_id] = as_string(*name, child(child(cp, "profile"), "name"));
  }
  return names;
}

void parse_change_value(const json& value, const place& path, const parse_limits& limits,
                        notification& out) {
  as_object(value, path);
  if (required_string(value, "messaging_product", path) != "whatsapp")
    fail(child(path, "messaging_product"), "not \"whatsapp\"");
  const auto mp = child(path, "metadata");
  const auto& metadata = as_object(required(value, "metadata", path), mp);
  const auto& phone_number_id = required_id(metadata, "phone_number_id", mp);
  const auto names = profile_names(value, path);

  if (const auto* messages = optional(value, "messages")) {
    const auto p = child(path, "messages");
    as_array(*messages, p);
    if (out.messages.size() + messages->size() > limits.max_messages)
      fail(p, "more than " + std::to_string(limits.max_messages) + " messages in the body");
    for (std::size_t i = 0; i < messages->size(); ++i)
      out.messages.push_back(
          parse_message((*messages)[i], index(p, i), phone_number_id, names, limits));
  }
  if (const auto* statuses = optional(value, "statuses")) {
    const auto p = child(path, "statuses");
    as_array(*statuses, p);
    if (out.statuses.size() + statuses->size() > limits.max_statuses)
      fail(p, "more than " + std::to_string(limits.max_statuses) + " statuses in the body");
    for (std::size_t i = 0; i < statuses->size(); ++i)
      out.statuses.push_back(parse_status((*statuses)[i], index(p, i), phone_number_id));
  }
  // value.errors[] reports a failure not tied to one message (for example a
  // webhook delivery problem); nothing here acts on it, so only its shape
  // is checked.
  if (const auto* errors = optional(value, "errors")) as_array(*errors, child(path, "errors"));
}

notification parse_document(const json& root, const parse_limits& limits) {
  const place top, body("body"), entry("entry"), object("object");
  as_object(root, body);
  if (required_string(root, "object", top) != "whatsapp_business_account")
    fail(object, "not \"whatsapp_business_account\"");
  const auto& entries = as_array(required(root, "entry", top), entry);
  if (entries.size() > limits.max_entries)
    fail(entry, "more than " + std::to_string(limits.max_entries) + " entries");

  notification out;
  for (std::size_t e = 0; e < entries.size(); ++e) {
    const auto ep = index(entry, e);
    const auto& entry_value = as_object(entries[e], ep);
    const auto cp = child(ep, "changes");
    const auto& changes = as_array(required(entry_value, "changes", ep), cp);
    if (changes.size() > limits.max_changes)
      fail(cp, "more than " + std::to_string(limits.max_changes) + " changes");
    for (std::size_t c = 0; c < changes.size(); ++c) {
      const auto p = index(cp, c);
      const auto& change = as_object(changes[c], p);
      // Other fields (account_update, message_template_status_update, ...)
      // arrive on the same URL when subscribed; they are not ours to read.
      if (required_string(change, "field", p) != "messages") continue;
      parse_change_value(required(change, "value", p), child(p, "value"), limits, out);
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(message_type type) {
  switch (type) {
    case message_type::text: return "text";
    case message_type::image: return "image";
    case message_type::audio: return "audio";
    case message_type::video: return "video";
    case message_type::document: return "document";
    case message_type::sticker: return "sticker";
    case message_type::location: return "location";
    case message_type::contacts: return "contacts";
    case message_type::reaction: return "reaction";
    case message_type::button: return "button";
    case message_type::interactive: return "interactive";
    case message_type::order: return "order";
    case message_type::system: return "system";
    case message_type::unsupported: return "unsupported";
    case message_type::unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(delivery_status status) {
  switch (status) {
    case delivery_status::sent: return "sent";
    case delivery_status::delivered: return "delivered";
    case delivery_status::read: return "read";
    case delivery_status::failed: return "failed";
    case delivery_status::deleted: return "deleted";
    case delivery_status::unknown: return "unknown";
  }
  return "unknown";
}

parse_result parse_notification(std::string_view body, const parse_limits& limits) {
  parse_result result;
  // nlohmann's lexer takes a NUL byte for the end of the input, so a body
  // of JSON, a NUL and anything at all would parse; a NUL is never JSON.
  if (const auto nul = body.find('\0'); nul != std::string_view::npos) {
    result.error = "body: invalid JSON at byte " + std::to_string(nul);
    return result;
  }
  try {
    // Boost.JSON's parser builds the document (nlohmann's own DOM builder
    // takes its events) with several times fewer instructions than
    // nlohmann's lexer; a body it refuses is read again by nlohmann, whose
    // verdict and error stand, so both readers accept exactly what
    // nlohmann alone did.
    json root;
    nlohmann::detail::json_sax_dom_parser<json> builder(root, true);
    if (!json_events::parse(body, builder)) root = json::parse(body.begin(), body.end());
    result.value = parse_document(root, limits);
  } catch (const shape_error& e) {
    result.error = e.what;
  } catch (const json::parse_error& e) {
    // e.what() quotes the bytes last read, which may be a phone number:
    // report only the kind of fault and its offset.
    const bool utf8 = std::string_view(e.what()).find("UTF-8") != std::string_view::npos;
    result.error = std::string(utf8 ? "body: invalid UTF-8" : "body: invalid JSON") +
                   " at byte " + std::to_string(e.byte);
  } catch (const json::exception&) {
    result.error = "body: unreadable JSON";
  } catch (const std::bad_alloc&) {
    result.error = "body: too large to parse";
  }
  return result;
}

std::optional<std::string> verification_challenge(std::string_view mode, std::string_view token,
                                                  std::string_view challenge,
                                                  std::string_view expected_token) {
  // An unset verify token must not let an empty hub.verify_token subscribe.
  if (expected_token.empty()) return std::nullopt;
  if (mode != "subscribe") return std::nullopt;
  if (!crypto::constant_time_equal(token, expected_token)) return std::nullopt;
  // The challenge is echoed as the response body: keep it short and to
  // visible ASCII (Meta sends digits), so nothing odd is reflected.
  if (challenge.empty() || challenge.size() > 256) return std::nullopt;
  for (char c : challenge)
    if (c < '!' || c > '~') return std::nullopt;
  return std::string(challenge);
}

}  // namespace banditore::whatsapp
