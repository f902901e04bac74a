#include <banditore/whatsapp/credentials_check.hpp>

#include <banditore/http/client.hpp>
#include <banditore/whatsapp/cloud_api.hpp>

#include <nlohmann/json.hpp>

namespace banditore::whatsapp {

std::string phone_number_check_path(std::string_view version, std::string_view phone_number_id) {
  while (version.starts_with('/')) version.remove_prefix(1);
  std::string path = "/";
  path += version;
  path += '/';
  path += phone_number_id;
  path += "?fields=id,verified_name";
  return path;
}

std::optional<phone_number_info> parse_phone_number_info(std::string_view body) {
  const auto root = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (!root.is_object()) return std::nullopt;
  auto id = root.find("id");
  if (id == root.end() || !id->is_string() || id->get<std::string>().empty()) return std::nullopt;
  phone_number_info out;
  out.id = id->get<std::string>();
  if (auto name = root.find("verified_name"); name != root.end() && name->is_string())
    out.verified_name = name->get<std::string>();
  return out;
}

std::string make_phone_number_info_body(std::string_view id, std::string_view verified_name,
                                        std::string_view display_phone_number) {
  const nlohmann::ordered_json body = {{"verified_name", verified_name},
                                       {"display_phone_number", display_phone_number},
                                       {"id", id}};
  return body.dump();
}

std::string_view to_string(credentials_state s) {
  switch (s) {
    case credentials_state::unchecked: return "unchecked";
    case credentials_state::ok: return "ok";
    case credentials_state::rejected: return "rejected";
    case credentials_state::unreachable: return "unreachable";
  }
  return "unchecked";
}

credentials_verdict judge_credentials(int http_status, std::string_view body, std::string_view transport_error,
                                      std::string_view expected_id) {
  credentials_verdict v;
  v.http_status = http_status;
  if (!transport_error.empty() || http_status == 0) {
    v.state = credentials_state::unreachable;
    v.detail = transport_error.empty() ? std::string("no answer") : std::string(transport_error);
    return v;
  }
  if (http_status >= 200 && http_status < 300) {
    auto info = parse_phone_number_info(body);
    if (info && info->id == expected_id) {
      v.state = credentials_state::ok;
      v.verified_name = info->verified_name;
      return v;
    }
    // A 200 that is not the number's node: a proxy or a wrong base URL.
    v.state = credentials_state::rejected;
    v.detail = info ? "the answer is about another id than the number's phone_number_id"
                    : "the answer is not a phone number node (is BANDITORE_WA_API_BASE the Graph API?)";
    return v;
  }
  auto error = parse_provider_error(body);
  v.error_code = error ? error->code : 0;
  v.detail = error ? error->message : "HTTP " + std::to_string(http_status);
  // Throttling (4, 80007, 130429: HTTP 429) and Meta's own failures say
  // nothing about the token.
  v.state = http_status >= 500 || http_status == 429 ? credentials_state::unreachable : credentials_state::rejected;
  return v;
}

struct credentials_check::impl {
  impl(boost::asio::any_io_executor ex, credentials_check_options o)
      : options(std::move(o)),
        client(std::move(ex), http::client_options{options.api_base, 1, options.timeout, options.timeout,
                                                   64 * 1024, options.ca_file}),
        path(phone_number_check_path(options.api_version, options.phone_number_id)) {}

  credentials_check_options options;
  http::client client;
  std::string path;
};

credentials_check::credentials_check(boost::asio::any_io_executor executor, credentials_check_options options)
    : impl_(std::make_unique<impl>(std::move(executor), std::move(options))) {}

credentials_check::~credentials_check() = default;

boost::asio::awaitable<credentials_verdict> credentials_check::run() {
  // Built before the co_await: g++ 12 mishandles braced temporaries there.
  std::vector<http::header_field> headers;
  headers.push_back({"Authorization", "Bearer " + impl_->options.token});
  auto res = co_await impl_->client.request("GET", impl_->path, std::string{}, std::move(headers));
  co_return judge_credentials(res.status, res.body, res.transport_error, impl_->options.phone_number_id);
}

}  // namespace banditore::whatsapp
