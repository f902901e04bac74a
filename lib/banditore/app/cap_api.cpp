#include <banditore/app/cap_api.hpp>

#include <banditore/app/auth.hpp>
#include <banditore/cap/parse.hpp>
#include <banditore/http/json_text.hpp>
#include <banditore/log/log.hpp>
#include <banditore/store/alerts.hpp>
#include <banditore/store/api_keys.hpp>
#include <banditore/store/audit.hpp>
#include <banditore/store/cap_alerts.hpp>
#include <banditore/store/worker.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace banditore::app {

namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

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

// Whether any delivery of the alert may have reached a phone.
bool reached_anyone(const store::alert_report& r) {
  return r.counts.sending + r.counts.sent + r.counts.delivered + r.counts.read > 0;
}

std::int64_t create_alert(cap_context& ctx, SQLite::Database& db, const domain::alert_draft& draft,
                          const cap::cap_alert& alert, const cap_origin& origin, std::int64_t now) {
  store::new_alert a;
  a.draft = draft;
  a.source = "cap";
  a.api_key_id = origin.api_key_id;
  a.not_before = now;
  auto created = ctx.alerts->create(a, now);
  store::record_audit(db, origin.actor, "alert.create", created.id, origin.api_key_id, audit_detail(alert, origin), now);
  return created.id;
}

void cancel_alerts(cap_context& ctx, SQLite::Database& db, const std::vector<std::int64_t>& ids,
                   const cap::cap_alert& alert, const cap_origin& origin, std::int64_t now) {
  for (auto id : ids) {
    ctx.alerts->cancel(id, now);
    store::record_audit(db, origin.actor, "alert.cancel", id, origin.api_key_id, audit_detail(alert, origin), now);
  }
}

void apply_cancel(cap_context& ctx, SQLite::Database& db, const cap::cap_alert& alert,
                  const cap::cap_decision& decision, const cap_origin& origin, std::int64_t now,
                  cap_outcome& out) {
  auto referenced = ctx.cap->alert_ids_of(reference_keys(alert));
  if (referenced.empty()) {
    out.verdict = verdict_unknown_reference;
    out.reason = "none of the referenced alerts was broadcast here";
    return;
  }
  // Read before cancelling: what went out decides whether a revocation is
  // owed, and the most severe original sets its priority.
  bool reached = false;
  std::optional<domain::severity> level;
  for (auto id : referenced) {
    auto report = ctx.alerts->report(id);
    if (!report) continue;
    reached = reached || reached_anyone(*report);
    auto s = domain::parse_severity(report->alert.severity);
    if (s && (!level || domain::priority_of(*s) < domain::priority_of(*level))) level = s;
  }
  cancel_alerts(ctx, db, referenced, alert, origin, now);
  out.cancelled_alert_ids = referenced;
  if (!reached) {
    out.verdict = verdict_cancelled;
    out.reason = "the referenced alerts were stopped before reaching anyone: no revocation is sent";
    return;
  }
  auto draft = cap::alert_draft_from_cap(alert, decision.info_index, ctx.drafts);
  if (level) draft.level = *level;
  out.alert_id = create_alert(ctx, db, draft, alert, origin, now);
  out.created = true;
}

}  // namespace

cap_outcome apply_cap(SQLite::Database& db, cap_context& ctx, const cap::cap_alert& alert, const cap_origin& origin,
                      std::int64_t now) {
  cap_outcome out;
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  const auto key = key_of(alert);
  if (auto earlier = ctx.cap->find(key)) {
    out.verdict = verdict_duplicate;
    out.reason = fmt::format("already received; it was {}", earlier->verdict);
    out.alert_id = earlier->alert_id;
  } else {
    const auto decision = cap::decide(alert, ctx.policy, std::chrono::sys_seconds{std::chrono::seconds{now / 1000}});
    out.verdict = cap::to_string(decision.verdict);
    out.reason = decision.reason;
    if (decision.verdict == cap::cap_verdict::broadcast) {
      if (alert.msg_type == "Cancel") {
        apply_cancel(ctx, db, alert, decision, origin, now, out);
      } else {
        if (alert.msg_type == "Update") {
          out.cancelled_alert_ids = ctx.cap->alert_ids_of(reference_keys(alert));
          cancel_alerts(ctx, db, out.cancelled_alert_ids, alert, origin, now);
        }
        auto draft = cap::alert_draft_from_cap(alert, decision.info_index, ctx.drafts);
        out.alert_id = create_alert(ctx, db, draft, alert, origin, now);
        out.created = true;
      }
    }
    store::cap_document_row row;
    row.key = key;
    row.status = alert.status;
    row.msg_type = alert.msg_type;
    row.verdict = out.verdict;
    row.reason = out.reason;
    if (out.created) row.alert_id = out.alert_id;
    ctx.cap->record(row, now);
  }
  if (!origin.document_url.empty()) ctx.cap->mark_seen(origin.document_url, now);
  tx.commit();
  return out;
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
  auto work = [&ctx, &origin, alert = std::move(*parsed.alert), now](SQLite::Database& db) {
    return apply_cap(db, ctx, alert, origin, now);
  };
  auto out = co_await ctx.db->run(std::move(work));
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
    auth_result access;
    if (ctx.throttle) access.refusal = refuse_before_lookup(req, *ctx.throttle, now);
    if (!access.refusal) {
      auto check = [&ctx, &req, now](SQLite::Database&) { return check_access(req, "cap:ingest", *ctx.keys, now); };
      auto checked = co_await ctx.db->run(std::move(check));
      if (ctx.throttle) count_refusal(req, checked, *ctx.throttle, now);
      access = std::move(checked);
    }
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
