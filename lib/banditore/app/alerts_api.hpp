// The press office's REST API: POST /v1/alerts (one call = one broadcast,
// idempotent with Idempotency-Key), POST /v1/alerts/preview (what it would
// take and cost; creates nothing), GET /v1/alerts[/{id}], cancel, and
// GET /v1/stats. Bearer API keys with scopes; problem+json errors.
#pragma once

#include <banditore/config/runtime_settings.hpp>
#include <banditore/domain/alert.hpp>
#include <banditore/domain/phone_preview.hpp>
#include <banditore/domain/approval_rule.hpp>
#include <banditore/domain/preview.hpp>
#include <banditore/http/router.hpp>

#include <functional>
#include <optional>
#include <string>

namespace banditore::store {
struct alert_preview_counts;
class alerts;
class api_keys;
class drafts;
class models;
class media;
class audience;
}  // namespace banditore::store

namespace banditore::app {

class auth_throttle;

struct alerts_context {
  store::alerts* alerts = nullptr;
  store::api_keys* keys = nullptr;
  store::drafts* drafts = nullptr;  // for the draft routes
  store::models* models = nullptr;  // for the model routes
  store::media* media = nullptr;    // for the attachment routes
  store::audience* audience = nullptr;  // the catalogue an alert's towns, topics and areas name
  auth_throttle* throttle = nullptr;  // failed authentications per address
  domain::alert_limits limits;      // the forms an alert may take on the phone
  // The same alert again within this window, without an Idempotency-Key,
  // is refused with 409 unless allow_duplicate is set; 0: no check.
  std::int64_t duplicate_window_ms = 10 * 60 * 1000;
  std::int64_t tier_limit = 0;      // WhatsApp messaging limit; 0 = unlimited
  // What the preview reckons with: the number's pace (0: unpaced), and the
  // price of a delivered template with its category and market.
  std::string phone_number_id;
  double messages_per_second = 0;
  // Several business numbers (BANDITORE_NUMBERS_FILE): the preview counts
  // each number's share at its own pace, and the messaging limit per
  // portfolio. Empty with one number.
  struct number_pace {
    std::string id, phone_number_id, portfolio;
    double messages_per_second = 0;
    std::int64_t tier = 0;  // its portfolio's; 0 = unlimited
  };
  std::vector<number_pace> numbers;
  domain::template_price price;
  std::string price_category, price_market;
  std::optional<std::pair<int, int>> quiet_hours;  // local minutes: start, end
  // The forms the phone shows (the preview's "phone"): the town, labels
  // and template the sender sends with.
  domain::phone_forms phone;
  // Which alerts need a second person (BANDITORE_APPROVAL_RULE; unset:
  // none, as before the rule existed).
  domain::approval_rule approval{.conditions = {}};
  // When set, the approval rule and quiet hours in use, which an admin may
  // change while the service runs (config/runtime_settings.hpp): they are
  // read from it at each decision instead of the two fields above.
  const config::runtime_policy_holder* live = nullptr;
  domain::approval_rule approval_now() const { return live ? live->get()->approval : approval; }
  std::optional<std::pair<int, int>> quiet_hours_now() const { return live ? live->get()->quiet_hours : quiet_hours; }
  std::function<void()> alerts_changed;  // wakes the planner
  std::function<void()> outbox_changed;  // wakes the sender
};

void add_alert_routes(http::router& routes, alerts_context& context);

// What a preview reckons with, for POST /v1/alerts/preview and the
// console's compose page alike: each number's share of the audience at
// its own pace, and each portfolio's messaging limit with that
// portfolio's own use (numbers of one portfolio share it, numbers of
// different portfolios do not). With one number: its share and the
// deployment's limit.
struct preview_plan {
  std::vector<domain::number_load> loads;
  std::vector<domain::messaging_limit> limits;
};
preview_plan plan_preview(const alerts_context& context, const store::alert_preview_counts& counts);
// The messaging limit that makes the window count: the deployment's tier
// with one number, the highest portfolio's with several (0: unlimited
// everywhere).
std::int64_t limit_in_force(const alerts_context& context);

// GET /v1/drafts[/{id}] (scope alerts:read) and POST /v1/drafts/{id}/discard
// (alerts:send): the drafts news feeds make. A draft is sent with
// POST /v1/alerts and "draft_id".
void add_draft_routes(http::router& routes, alerts_context& context);

// GET /v1/models[/{id}] (alerts:read); POST /v1/models, PUT and DELETE
// /v1/models/{id}, and POST /v1/models/{id}/fill, which makes a draft of
// the model's blanks filled in order (alerts:send; 422 when the values do
// not fill them).
void add_model_routes(http::router& routes, alerts_context& context);

// POST /v1/media (alerts:send): an alert's attachment as the raw body with
// its Content-Type, a JPEG or PNG image or a PDF document, taken only as
// domain::check_media takes it (by its bytes, within Meta's limits);
// ?filename= names a document. GET /v1/media/{id} (alerts:read): what is
// stored, without the bytes. The server lets /v1/media's bodies reach
// domain::max_document_bytes (server_options::large_body_paths).
void add_media_routes(http::router& routes, alerts_context& context);

}  // namespace banditore::app
