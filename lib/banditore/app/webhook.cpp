#include <banditore/app/webhook.hpp>

#include <banditore/domain/phone.hpp>
#include <banditore/http/json_text.hpp>
#include <banditore/log/log.hpp>
#include <banditore/metrics/registry.hpp>
#include <banditore/domain/clock.hpp>
#include <banditore/store/inbound.hpp>
#include <banditore/whatsapp/signature.hpp>
#include <banditore/whatsapp/webhook.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace banditore::app {

namespace {

using domain::now_ms;

bool is_json(std::string_view content_type) {
  auto semi = content_type.find(';');
  auto media = content_type.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  std::string lower(media);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json";
}

store::status_kind status_of(whatsapp::delivery_status s) {
  switch (s) {
    case whatsapp::delivery_status::delivered: return store::status_kind::delivered;
    case whatsapp::delivery_status::read: return store::status_kind::read;
    case whatsapp::delivery_status::failed: return store::status_kind::failed;
    default: return store::status_kind::sent;
  }
}

}  // namespace

bool note_decisions(std::string_view request_id, const std::vector<store::inbound_result>& results) {
  bool replies = false;
  for (const auto& r : results) {
    replies = replies || domain::reply_for(r.decision).has_value();
    const std::string_view decision = r.duplicate ? "duplicate" : domain::to_string(r.decision);
    metrics::default_registry()
        .counter_for("banditore_commands_total", "Decisions on citizens' messages, by kind",
                     {{"kind", std::string(decision)}})
        .inc();
    log::line(log::level::info, "webhook.message",
              {{"request_id", request_id}, {"phone", r.phone_tag}, {"duplicate", r.duplicate},
               {"decision", decision}, {"keyword", r.keyword}});
  }
  return replies;
}

void add_webhook_routes(http::router& routes, webhook_context& ctx) {
  routes.add("GET", "/webhook/whatsapp", [&ctx](http::request& req) -> boost::asio::awaitable<http::response> {
    auto challenge = whatsapp::verification_challenge(req.query_param("hub.mode").value_or(""),
                                                      req.query_param("hub.verify_token").value_or(""),
                                                      req.query_param("hub.challenge").value_or(""),
                                                      ctx.verify_token);
    if (!challenge) {
      log::warn("webhook.verification_refused", {{"request_id", req.request_id}});
      co_return http::problem(403, "Forbidden", "hub.mode must be 'subscribe' and hub.verify_token must match");
    }
    log::info("webhook.verified", {{"request_id", req.request_id}});
    co_return http::text_response(200, *challenge);
  });

  routes.add("POST", "/webhook/whatsapp", [&ctx](http::request& req) -> boost::asio::awaitable<http::response> {
    // The signature is checked over the bytes exactly as received, before
    // anything else reads them.
    switch (whatsapp::verify_signature(req.body, req.header("X-Hub-Signature-256"), ctx.app_secret)) {
      case whatsapp::signature_check::ok: break;
      case whatsapp::signature_check::missing:
        co_return http::problem(401, "Unauthorized", "X-Hub-Signature-256 header is missing");
      case whatsapp::signature_check::malformed:
        co_return http::problem(401, "Unauthorized", "X-Hub-Signature-256 must be sha256= followed by 64 hex digits");
      case whatsapp::signature_check::mismatch:
        log::warn("webhook.bad_signature", {{"request_id", req.request_id}, {"remote", req.remote_address}});
        co_return http::problem(401, "Unauthorized", "X-Hub-Signature-256 does not match the body");
    }
    if (!is_json(req.header("Content-Type")))
      co_return http::problem(415, "Unsupported Media Type", "Content-Type must be application/json");

    auto parsed = whatsapp::parse_notification(req.body);
    if (!parsed.value)
      co_return http::problem(400, "Bad Request", "not a WhatsApp notification: " + parsed.error);

    store::inbound_batch batch;
    auto& inputs = batch.messages;
    std::size_t skipped = 0;
    for (auto& m : parsed.value->messages) {
      std::string number_id;
      if (!ctx.numbers.empty()) {
        // One app's webhook receives every number of its business
        // accounts: only the configured ones are ours to answer.
        auto known = ctx.numbers.find(m.phone_number_id);
        if (known == ctx.numbers.end()) {
          ++skipped;
          log::warn("webhook.unknown_number", {{"request_id", req.request_id}, {"phone_number_id", m.phone_number_id}});
          continue;
        }
        number_id = known->second;
      } else if (!ctx.phone_number_id.empty() && !m.phone_number_id.empty() && m.phone_number_id != ctx.phone_number_id) {
        ++skipped;  // another number of the same business account
        continue;
      }
      auto from = domain::normalise_wa_id(m.from);
      if (!from) {
        ++skipped;
        log::warn("webhook.unusable_sender", {{"request_id", req.request_id}, {"type", whatsapp::to_string(m.type)}});
        continue;
      }
      // parse_notification bounds timestamps (max_timestamp_seconds): no overflow.
      inputs.push_back({m.id, *from, std::string(whatsapp::to_string(m.type)), m.text, m.timestamp * 1000, m.reply_id});
      inputs.back().number_id = std::move(number_id);
      // The point goes to the store, which keeps only the town and area
      // ids it falls in.
      if (m.location) inputs.back().location = cap::geo_point{m.location->latitude, m.location->longitude};
      metrics::default_registry()
          .counter_for("banditore_inbound_messages_total", "Citizens' messages received, by WhatsApp type",
                       {{"type", std::string(whatsapp::to_string(m.type))}})
          .inc();
    }
    for (const auto& s : parsed.value->statuses) {
      if (s.status == whatsapp::delivery_status::unknown || s.status == whatsapp::delivery_status::deleted) continue;
      if (!ctx.numbers.empty() && !ctx.numbers.contains(s.phone_number_id)) {
        ++skipped;
        continue;
      }
      batch.statuses.push_back({s.id, s.callback_data, status_of(s.status), s.timestamp * 1000, s.error_code,
                                s.error_title});
    }

    const auto now = now_ms();
    // Answered only once the batch is committed.
    batch.request_id = req.request_id;
    auto out = co_await ctx.inbound->apply(std::move(batch), now);

    if (note_decisions(req.request_id, out.results) && ctx.outbox_changed) ctx.outbox_changed();
    if (out.statuses_unknown > 0)
      log::info("webhook.statuses_unknown", {{"request_id", req.request_id}, {"count", out.statuses_unknown}});
    // Three counts: written directly rather than through a JSON object.
    auto body = fmt::format(R"({{"messages":{},"skipped":{},"statuses":{}}})", out.results.size() + out.journaled, skipped,
                            out.statuses_applied + out.statuses_early + out.statuses_unknown);
    co_return http::json_response(200, std::move(body));
  });
}

}  // namespace banditore::app
