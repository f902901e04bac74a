#include <banditore/whatsapp/cloud_api.hpp>

#include <banditore/json/sax.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>

namespace banditore::whatsapp {

namespace {

using oj = nlohmann::ordered_json;
using nlohmann::json;

// Parses without throwing; invalid UTF-8 or JSON gives a discarded value,
// as does a NUL byte (nlohmann's lexer would stop there and accept).
json parse_quietly(std::string_view body) {
  if (body.find('\0') != std::string_view::npos) return json(json::value_t::discarded);
  return json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
}

std::string string_member(const json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

int int_member(const json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return 0;
  const auto value = it->get<std::int64_t>();
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max())
    return 0;
  return static_cast<int>(value);
}

// Our own bodies carry citizens' text, which came in as valid UTF-8; an
// invalid byte (from a bad alert source) is replaced rather than thrown on.
std::string dump(const oj& body) {
  return body.dump(-1, ' ', false, oj::error_handler_t::replace);
}

// A JSON string literal. Digits and plain ASCII (a number, a delivery
// reference, a wamid) are copied as they are; anything else goes through
// the JSON library, which escapes it and replaces invalid UTF-8.
void append_string(std::string& out, std::string_view value) {
  const bool plain = std::all_of(value.begin(), value.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (plain) {
    out += '"';
    out += value;
    out += '"';
  } else {
    out += dump(oj(value));
  }
}

// The members of an object, without its braces.
std::string members(const oj& object) {
  auto text = dump(object);
  return text.substr(1, text.size() - 2);
}

}  // namespace

std::string text_content(std::string_view text, bool preview_url) {
  return members(oj{{"type", "text"}, {"text", {{"preview_url", preview_url}, {"body", text}}}});
}

std::string template_content(const template_message& message) {
  oj tmpl = {{"name", message.name}, {"language", {{"code", message.language}}}};
  oj components = oj::array();
  if (!message.header_type.empty()) {
    oj media = {{"id", message.header_media_id}};
    if (message.header_type == "document" && !message.header_filename.empty())
      media["filename"] = message.header_filename;
    oj parameter = {{"type", message.header_type}, {message.header_type, std::move(media)}};
    components.push_back({{"type", "header"}, {"parameters", oj::array({std::move(parameter)})}});
  }
  if (!message.body_parameters.empty()) {
    oj parameters = oj::array();
    for (const auto& text : message.body_parameters)
      parameters.push_back({{"type", "text"}, {"text", text}});
    components.push_back({{"type", "body"}, {"parameters", std::move(parameters)}});
  }
  if (!components.empty()) tmpl["components"] = std::move(components);
  return members(oj{{"type", "template"}, {"template", std::move(tmpl)}});
}

std::string buttons_content(std::string_view body_text, const std::vector<interactive_button>& buttons) {
  oj list = oj::array();
  for (const auto& b : buttons) list.push_back({{"type", "reply"}, {"reply", {{"id", b.id}, {"title", b.title}}}});
  return members(oj{{"type", "interactive"},
                    {"interactive",
                     {{"type", "button"}, {"body", {{"text", body_text}}}, {"action", {{"buttons", std::move(list)}}}}}});
}

namespace {

// Meta counts characters as code points.
std::size_t characters(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

std::optional<std::string> list_problem(std::string_view body_text, std::string_view button,
                                        const std::vector<list_section>& sections) {
  if (body_text.empty() || characters(body_text) > max_interactive_body) return "the body needs 1 to 1024 characters";
  if (button.empty() || characters(button) > max_list_button) return "the list button needs 1 to 20 characters";
  if (sections.empty() || sections.size() > max_list_sections) return "a list needs 1 to 10 sections";
  std::size_t rows = 0;
  std::vector<std::string_view> ids;
  for (const auto& s : sections) {
    if ((sections.size() > 1 && s.title.empty()) || characters(s.title) > max_section_title)
      return "a section title needs at most 24 characters, and is needed with several sections";
    for (const auto& r : s.rows) {
      ++rows;
      if (r.id.empty() || characters(r.id) > max_row_id) return "a row id needs 1 to 200 characters";
      if (r.title.empty() || characters(r.title) > max_row_title) return "a row title needs 1 to 24 characters";
      if (characters(r.description) > max_row_description) return "a row description has at most 72 characters";
      if (std::find(ids.begin(), ids.end(), r.id) != ids.end()) return "row ids must be unique";
      ids.push_back(r.id);
    }
  }
  if (rows == 0 || rows > max_list_rows) return "a list needs 1 to 10 rows in all";
  return std::nullopt;
}

std::string list_content(std::string_view body_text, std::string_view button, const std::vector<list_section>& sections) {
  oj list = oj::array();
  for (const auto& s : sections) {
    oj rows = oj::array();
    for (const auto& r : s.rows) {
      oj row = {{"id", r.id}, {"title", r.title}};
      if (!r.description.empty()) row["description"] = r.description;
      rows.push_back(std::move(row));
    }
    oj section = {{"rows", std::move(rows)}};
    if (!s.title.empty()) section["title"] = s.title;
    list.push_back(std::move(section));
  }
  return members(oj{{"type", "interactive"},
                    {"interactive",
                     {{"type", "list"},
                      {"body", {{"text", body_text}}},
                      {"action", {{"button", button}, {"sections", std::move(list)}}}}}});
}

std::string message_body(std::string_view to, std::string_view content, std::string_view callback_data) {
  std::string body;
  body.reserve(96 + to.size() + content.size() + callback_data.size());
  body += R"({"messaging_product":"whatsapp","recipient_type":"individual","to":)";
  append_string(body, to);
  body += ',';
  body += content;
  if (!callback_data.empty()) {
    body += R"(,"biz_opaque_callback_data":)";
    append_string(body, callback_data);
  }
  body += '}';
  return body;
}

std::string text_message_body(std::string_view to, std::string_view text, bool preview_url,
                              std::string_view callback_data) {
  return message_body(to, text_content(text, preview_url), callback_data);
}

std::string template_message_body(std::string_view to, const template_message& message,
                                  std::string_view callback_data) {
  return message_body(to, template_content(message), callback_data);
}

std::string messages_path(std::string_view version, std::string_view phone_number_id) {
  while (version.starts_with('/')) version.remove_prefix(1);
  std::string path = "/";
  path += version;
  path += '/';
  path += phone_number_id;
  path += "/messages";
  return path;
}

std::string media_path(std::string_view version, std::string_view phone_number_id) {
  auto path = messages_path(version, phone_number_id);
  path.resize(path.size() - std::string_view("messages").size());
  return path + "media";
}

std::string media_content(std::string_view media_type, std::string_view media_id, std::string_view caption,
                          std::string_view filename) {
  oj media = {{"id", media_id}};
  if (!caption.empty()) media["caption"] = caption;
  if (!filename.empty()) media["filename"] = filename;
  return members(oj{{"type", media_type}, {std::string(media_type), std::move(media)}});
}

media_form media_upload_form(std::string_view mime_type, std::string_view filename, std::string_view bytes,
                             std::string_view boundary) {
  // A quoted-string's quote and backslash, and line ends, cannot stand in
  // a filename parameter (RFC 7578 4.2): they are replaced.
  std::string name;
  for (char c : filename) name.push_back(c == '"' || c == '\\' || c == '\r' || c == '\n' ? '_' : c);
  if (name.empty()) name = "file";
  media_form out;
  out.content_type = "multipart/form-data; boundary=" + std::string(boundary);
  auto& b = out.body;
  b.reserve(bytes.size() + 512);
  const std::string dash = "--" + std::string(boundary);
  b.append(dash).append("\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n");
  b.append(dash).append("\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\n").append(mime_type).append("\r\n");
  b.append(dash).append("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"").append(name).append("\"\r\n");
  b.append("Content-Type: ").append(mime_type).append("\r\n\r\n");
  b.append(bytes);
  b.append("\r\n").append(dash).append("--\r\n");
  return out;
}

std::optional<std::string> parse_upload_success(std::string_view body) {
  const auto root = parse_quietly(body);
  if (!root.is_object()) return std::nullopt;
  auto id = root.find("id");
  if (id == root.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) return std::nullopt;
  return id->get<std::string>();
}

namespace {

// Finds messages[0].id while the parser reads, without building the
// document: every accepted send is answered with one of these.
struct first_message_id {
  struct frame {
    bool array = false;
    std::string key;   // an object's current member
    long index = -1;   // an array's current element
  };
  std::vector<frame> path;
  std::optional<std::string> id;

  // Called as each value begins; true when it sits at messages[0].id.
  bool at_id() const {
    return path.size() == 3 && !path[0].array && path[0].key == "messages" && path[1].array &&
           path[1].index == 0 && !path[2].array && path[2].key == "id";
  }
  void begin_value() {
    if (!path.empty() && path.back().array) ++path.back().index;
  }
  bool scalar() {
    begin_value();
    return true;
  }
  bool open(bool array) {
    begin_value();
    if (path.empty() && array) return false;  // the answer is an object
    path.push_back({array, {}, -1});
    return true;
  }
  bool close() {
    path.pop_back();
    return true;
  }

  bool null() { return scalar(); }
  bool boolean(bool) { return scalar(); }
  bool number_integer(json::number_integer_t) { return scalar(); }
  bool number_unsigned(json::number_unsigned_t) { return scalar(); }
  bool number_float(json::number_float_t, const json::string_t&) { return scalar(); }
  bool string(json::string_t& value) {
    if (at_id() && !id) id = value;
    return scalar();
  }
  bool start_object(std::size_t) { return open(false); }
  bool start_array(std::size_t) { return open(true); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& k) {
    path.back().key = k;
    return true;
  }
};

}  // namespace

std::optional<send_success> parse_send_success(std::string_view body) {
  first_message_id reader;
  if (!json_events::parse(body, reader) || !reader.id || reader.id->empty())
    return std::nullopt;
  return send_success{std::move(*reader.id)};
}

std::optional<provider_error> parse_provider_error(std::string_view body) {
  const auto root = parse_quietly(body);
  if (!root.is_object()) return std::nullopt;
  auto error = root.find("error");
  if (error == root.end() || !error->is_object()) return std::nullopt;
  provider_error out;
  out.code = int_member(*error, "code");
  out.subcode = int_member(*error, "error_subcode");
  out.type = string_member(*error, "type");
  out.message = string_member(*error, "message");
  if (auto data = error->find("error_data"); data != error->end() && data->is_object())
    out.details = string_member(*data, "details");
  return out;
}

std::string make_error_body(const provider_error& error) {
  oj inner = {{"message", error.message}, {"type", error.type}, {"code", error.code}};
  // Graph API v16.0 and later no longer send error_subcode for most errors.
  if (error.subcode != 0) inner["error_subcode"] = error.subcode;
  inner["error_data"] = {{"messaging_product", "whatsapp"}, {"details", error.details}};
  inner["fbtrace_id"] = "Az8or2yhqkZfEZ-_4Qn_Bam";
  return dump(oj{{"error", std::move(inner)}});
}

std::string make_success_body(std::string_view to, std::string_view message_id) {
  // Written out rather than built as a tree: wa-sim answers every send
  // with it, and the fan-out benchmark shares the cores with wa-sim.
  std::string body = R"({"messaging_product":"whatsapp","contacts":[{"input":)";
  append_string(body, to);
  body += R"(,"wa_id":)";
  append_string(body, to);
  body += R"(}],"messages":[{"id":)";
  append_string(body, message_id);
  body += "}]}";
  return body;
}

}  // namespace banditore::whatsapp
