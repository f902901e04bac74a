#include <banditore/whatsapp/cloud_channel.hpp>

#include <banditore/crypto/hash.hpp>
#include <banditore/http/client.hpp>
#include <banditore/whatsapp/cloud_api.hpp>
#include <banditore/whatsapp/errors.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace banditore::whatsapp {

namespace {

dispatch::send_verdict verdict_for(send_action a) {
  switch (a) {
    case send_action::retry_later: return dispatch::send_verdict::retry_later;
    case send_action::slow_down: return dispatch::send_verdict::slow_down;
    case send_action::retry_recipient_later: return dispatch::send_verdict::retry_recipient_later;
    case send_action::use_template: return dispatch::send_verdict::use_template;
    case send_action::opt_out: return dispatch::send_verdict::opt_out;
    case send_action::permanent: return dispatch::send_verdict::permanent;
    case send_action::configuration: return dispatch::send_verdict::configuration;
  }
  return dispatch::send_verdict::retry_later;
}

// Retry-After in seconds (the HTTP-date form is not used by Graph).
std::chrono::milliseconds retry_after(std::string_view value) {
  unsigned seconds = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc{} || seconds > 3600) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(seconds * 1000LL);
}

}  // namespace

struct cloud_channel::impl {
  impl(boost::asio::any_io_executor ex, cloud_channel_options o)
      : options(std::move(o)),
        client(std::move(ex), http::client_options{options.api_base, options.max_connections,
                                                   std::chrono::milliseconds(5000), options.request_timeout,
                                                   4 * 1024 * 1024, options.ca_file}),
        path(messages_path(options.api_version, options.phone_number_id)),
        upload_path(media_path(options.api_version, options.phone_number_id)),
        authorization("Bearer " + options.token) {}

  // The content of the last few messages (see text_content): a broadcast
  // sends one content to everyone, and building it through a JSON tree
  // was a good share of each send's cost. Replies interleave with a
  // broadcast, so more than one is kept.
  struct cached_content {
    std::optional<dispatch::template_content> templ;
    std::optional<dispatch::media_attachment> media;
    std::string text;
    std::vector<domain::reply_button> buttons;
    domain::reply_list list;
    std::string json;  // empty: the slot is unused
  };
  const std::string& content(const dispatch::outgoing_message& m) {
    auto same = [&m](const cached_content& c) {
      if (c.json.empty()) return false;
      if (m.templ.has_value() != c.templ.has_value()) return false;
      if (m.media.has_value() != c.media.has_value()) return false;
      if (m.media && (m.media->type != c.media->type || m.media->provider_id != c.media->provider_id ||
                      m.media->filename != c.media->filename))
        return false;
      if (!m.templ) return c.text == m.text && same_buttons(c.buttons, m.buttons) && same_list(c.list, m.list);
      return c.templ->name == m.templ->name && c.templ->language == m.templ->language &&
             c.templ->body_parameters == m.templ->body_parameters && c.templ->header == m.templ->header;
    };
    for (const auto& c : contents)
      if (same(c)) return c.json;
    auto& slot = contents[next_content++ % contents.size()];
    slot.templ = m.templ;
    slot.media = m.templ ? std::nullopt : m.media;
    slot.text = m.templ ? std::string{} : m.text;
    slot.buttons = m.templ ? std::vector<domain::reply_button>{} : m.buttons;
    slot.list = m.templ ? domain::reply_list{} : m.list;
    if (m.templ) {
      template_message t{m.templ->name, m.templ->language, m.templ->body_parameters, {}, {}, {}};
      if (m.templ->header) {
        t.header_type = m.templ->header->type;
        t.header_media_id = m.templ->header->provider_id;
        t.header_filename = m.templ->header->filename;
      }
      slot.json = template_content(t);
    } else if (m.media) {
      slot.json = media_content(m.media->type, m.media->provider_id, m.text, m.media->filename);
    } else if (!m.list.empty()) {
      // Every new subscriber is sent the same confirmation and list.
      std::vector<list_section> sections;
      for (const auto& s : m.list.sections) {
        list_section section{s.title, {}};
        for (const auto& r : s.rows) section.rows.push_back({r.id, r.title, r.description});
        sections.push_back(std::move(section));
      }
      slot.json = list_content(m.text, m.list.button, sections);
    } else if (!m.buttons.empty()) {
      std::vector<interactive_button> buttons;
      for (const auto& b : m.buttons) buttons.push_back({b.id, b.title});
      slot.json = buttons_content(m.text, buttons);
    } else {
      slot.json = text_content(m.text);
    }
    return slot.json;
  }

  static bool same_list(const domain::reply_list& a, const domain::reply_list& b) {
    auto same_row = [](const auto& x, const auto& y) {
      return x.id == y.id && x.title == y.title && x.description == y.description;
    };
    auto same_section = [&same_row](const auto& x, const auto& y) {
      return x.title == y.title && std::equal(x.rows.begin(), x.rows.end(), y.rows.begin(), y.rows.end(), same_row);
    };
    return a.button == b.button &&
           std::equal(a.sections.begin(), a.sections.end(), b.sections.begin(), b.sections.end(), same_section);
  }

  static bool same_buttons(const std::vector<domain::reply_button>& a, const std::vector<domain::reply_button>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const auto& x, const auto& y) { return x.id == y.id && x.title == y.title; });
  }

  cloud_channel_options options;
  http::client client;
  std::string path;
  std::string upload_path;
  std::string authorization;
  std::array<cached_content, 4> contents;
  std::size_t next_content = 0;
};

cloud_channel::cloud_channel(boost::asio::any_io_executor executor, cloud_channel_options options)
    : impl_(std::make_unique<impl>(std::move(executor), std::move(options))) {}

cloud_channel::~cloud_channel() = default;

boost::asio::awaitable<dispatch::upload_outcome> cloud_channel::upload_media(std::string mime_type,
                                                                             std::string filename,
                                                                             std::string bytes) {
  // A random boundary, drawn again in the unlikely case the file holds it.
  std::string boundary;
  do boundary = "banditore-" + crypto::to_hex(crypto::random_bytes(16));
  while (bytes.find(boundary) != std::string::npos);
  auto form = media_upload_form(mime_type, filename, bytes, boundary);
  std::vector<http::header_field> headers;
  headers.push_back({"Authorization", impl_->authorization});
  headers.push_back({"Content-Type", std::move(form.content_type)});
  auto res = co_await impl_->client.request("POST", impl_->upload_path, std::move(form.body), std::move(headers));

  dispatch::upload_outcome out;
  out.refusal.http_status = res.status;
  if (!res.answered()) {
    out.refusal.verdict = dispatch::send_verdict::retry_later;
    out.refusal.error_title = res.transport_error;
    co_return out;
  }
  if (res.status >= 200 && res.status < 300) {
    if (auto id = parse_upload_success(res.body)) {
      out.provider_id = std::move(*id);
      co_return out;
    }
    out.refusal.verdict = dispatch::send_verdict::retry_later;
    out.refusal.error_title = "upload answered without an id";
    co_return out;
  }
  auto error = parse_provider_error(res.body);
  out.refusal.error_code = error ? error->code : 0;
  out.refusal.error_title = error ? error->message : "HTTP " + std::to_string(res.status);
  out.refusal.verdict = verdict_for(classify(out.refusal.error_code, res.status));
  out.refusal.retry_after = retry_after(res.header("Retry-After"));
  co_return out;
}

boost::asio::awaitable<dispatch::send_outcome> cloud_channel::send(const dispatch::outgoing_message& m) {
  auto body = message_body(m.to, impl_->content(m), m.callback_data);
  // Built before the co_await: g++ 12 mishandles braced temporaries there.
  std::vector<http::header_field> headers;
  headers.push_back({"Authorization", impl_->authorization});
  headers.push_back({"Content-Type", "application/json"});
  auto res = co_await impl_->client.request("POST", impl_->path, std::move(body), std::move(headers));

  dispatch::send_outcome out;
  out.http_status = res.status;
  if (!res.answered()) {
    // No answer: the request may or may not have been acted on. Retrying is
    // the only way not to lose the message; the duplicate bound covers it.
    out.verdict = dispatch::send_verdict::retry_later;
    out.error_title = res.transport_error;
    co_return out;
  }
  if (res.status >= 200 && res.status < 300) {
    if (auto ok = parse_send_success(res.body)) {
      out.verdict = dispatch::send_verdict::accepted;
      out.message_id = ok->message_id;
      co_return out;
    }
    out.verdict = dispatch::send_verdict::retry_later;
    out.error_title = "success answer without a message id";
    co_return out;
  }
  auto error = parse_provider_error(res.body);
  out.error_code = error ? error->code : 0;
  out.error_title = error ? error->message : "HTTP " + std::to_string(res.status);
  out.verdict = verdict_for(classify(out.error_code, res.status));
  out.retry_after = retry_after(res.header("Retry-After"));
  co_return out;
}

}  // namespace banditore::whatsapp
