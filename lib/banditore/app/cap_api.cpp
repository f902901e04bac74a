#include <banditore/app/cap_api.hpp>

#include <banditore/app/auth.hpp>
#include <banditore/cap/parse.hpp>
#include <banditore/http/json_text.hpp>
#include <banditore/log/log.hpp>
#include <banditore/domain/clock.hpp>
#include <banditore/store/api_keys.hpp>
#include <banditore/store/audience.hpp>
#include <banditore/store/cap_alerts.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace banditore::app {

namespace {

using domain::now_ms;

std::int64_t to_ms(std::chrono::sys_seconds t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

store::cap_document_key key_of(const cap::cap_alert& a) { return {a.sender, a.identifier, to_ms(a.sent.utc)}; }

std::vector<store::cap_document_key> reference_keys(const cap::cap_alert& a) {
  std::vector<store::cap_document_key> out;
  for (const auto& r : a.references) out.push_back({r.sender, r.identifier, to_ms(r.sent.utc)});
  return out;
}

std::string audit_detail(const cap::cap_alert& a, const cap_origin& origin) {
  auto detail = fmt::format("cap {} sender={} identifier={} sent={}", a.msg_type, a.sender, a.identifier, a.sent.text);
  if (!origin.feed_url.empty()) detail += fmt::format(" feed={}", origin.feed_url);
  return detail;
}

}  // namespace

boost::asio::awaitable<cap_outcome> apply_cap(cap_context& ctx, const cap::cap_alert& alert, const cap_origin& origin,
                                              std::int64_t now) {
  store::cap_document doc;
  doc.key = key_of(alert);
  doc.references = reference_keys(alert);
  doc.status = alert.status;
  doc.msg_type = alert.msg_type;
  const auto decision = cap::decide(alert, ctx.policy, std::chrono::sys_seconds{std::chrono::seconds{now / 1000}});
  doc.verdict = cap::to_string(decision.verdict);
  doc.reason = decision.reason;
  doc.broadcast = decision.verdict == cap::cap_verdict::broadcast;
  if (doc.broadcast) {
    doc.draft = cap::alert_draft_from_cap(alert, decision.info_index, ctx.drafts);
    domain::audience_catalogue catalogue;
    if (ctx.audience) catalogue = co_await ctx.audience->catalogue();
    std::string note;
    doc.audience = cap::cap_audience(alert.infos.at(decision.info_index), catalogue, ctx.topics, &note);
    if (!note.empty()) doc.reason += doc.reason.empty() ? note : "; " + note;
  }
  doc.who = {origin.actor, origin.api_key_id};
  doc.audit_detail = audit_detail(alert, origin);
  doc.document_url = origin.document_url;
  doc.hold = ctx.hold_now();
  auto applied = co_await ctx.cap->apply(std::move(doc), now);
  cap_outcome out;
  out.verdict = std::move(applied.verdict);
  out.reason = std::move(applied.reason);
  out.alert_id = applied.alert_id;
  out.created = applied.created;
  out.cancelled_alert_ids = std::move(applied.cancelled_alert_ids);
  out.draft_id = applied.draft_id;
  co_return out;
}

boost::asio::awaitable<cap_outcome> ingest_cap(cap_context& ctx, std::string_view xml, const cap_origin& origin) {
  auto parsed = cap::parse_cap(xml);
  if (!parsed.ok()) {
    cap_outcome refused;
    refused.refused = true;
    refused.element = parsed.element;
    refused.reason = parsed.reason;
    co_return refused;
  }
  const auto now = now_ms();
  const auto& alert = *parsed.alert;
  auto out = co_await apply_cap(ctx, alert, origin, now);
  if (out.created && ctx.alerts_changed) ctx.alerts_changed();
  co_return out;
}

http::response cap_answer(const cap_outcome& out) {
  if (out.refused) {
    auto r = http::problem(400, http::status_title(400),
                           fmt::format("not a valid CAP 1.2 document: {}: {}", out.element, out.reason));
    auto body = nlohmann::json::parse(r.body);
    body["element"] = out.element;
    body["reason"] = out.reason;
    r.body = http::json_text(body);
    return r;
  }
  nlohmann::json body = {{"verdict", out.verdict}, {"reason", out.reason}};
  body["alert_id"] = out.alert_id ? nlohmann::json(*out.alert_id) : nlohmann::json(nullptr);
  if (!out.cancelled_alert_ids.empty()) body["cancelled_alert_ids"] = out.cancelled_alert_ids;
  if (out.draft_id) {
    // Held: accepted, and waiting for a publisher as the draft named.
    body["draft_id"] = *out.draft_id;
    auto r = http::json_response(202, http::json_text(body));
    r.headers.push_back({"Location", fmt::format("/v1/drafts/{}", *out.draft_id)});
    return r;
  }
  if (!out.created) return http::json_response(200, http::json_text(body));
  auto r = http::json_response(202, http::json_text(body));
  r.headers.push_back({"Location", fmt::format("/v1/alerts/{}", *out.alert_id)});
  return r;
}

bool is_cap_content_type(std::string_view content_type) {
  auto media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  std::string lower(media);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/cap+xml" || lower == "application/xml" || lower == "text/xml";
}

void add_cap_routes(http::router& routes, cap_context& ctx) {
  routes.add("POST", "/v1/cap", [&ctx](http::request& req) -> boost::asio::awaitable<http::response> {
    const auto now = now_ms();
    // A throttled address or a token of the wrong shape never reaches the database.
    auto access = co_await authorize(req, "cap:ingest", *ctx.keys, ctx.throttle, now);
    if (access.refusal) co_return std::move(*access.refusal);
    if (!is_cap_content_type(req.header("Content-Type"))) {
      auto refusal = http::problem(415, http::status_title(415),
                                   "Content-Type must be application/cap+xml, application/xml or text/xml");
      co_return refusal;
    }
    cap_origin origin;
    origin.actor = access.key->name;
    origin.api_key_id = access.key->id;
    const std::string_view xml = req.body;
    auto out = co_await ingest_cap(ctx, xml, origin);
    if (out.refused) {
      log::warn("cap.refused", {{"request_id", req.request_id}, {"api_key_id", access.key->id},
                                {"element", out.element}, {"reason", out.reason}});
    } else {
      log::info("cap.received", {{"request_id", req.request_id}, {"api_key_id", access.key->id},
                                 {"verdict", out.verdict}, {"reason", out.reason},
                                 {"alert_id", out.alert_id ? nlohmann::json(*out.alert_id) : nlohmann::json(nullptr)}});
    }
    co_return cap_answer(out);
  });
}

}  // namespace banditore::app
