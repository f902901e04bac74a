// The console's drafts: the list by state (/console/drafts, pending first)
// and one draft's page (/console/drafts/{id}) with the phone's preview and
// the second person's decision — submit it for approval, approve and send
// it, or reject it with a reason. Approving is POST /v1/drafts/{id}/approve's
// own logic (app/draft_approval.hpp): nobody approves what they wrote or
// changed last (docs/approval.md).
#pragma once

#include <banditore/app/alerts_api.hpp>
#include <banditore/app/console.hpp>
#include <banditore/http/router.hpp>

namespace banditore::domain {
struct audience_catalogue;
}  // namespace banditore::domain

namespace banditore::store {
struct draft_record;
}  // namespace banditore::store

namespace banditore::app {

// Whether a user limited to towns may reach a draft: draft_within_towns
// (app/draft_approval.hpp) with their towns.
bool may_reach_draft(const console_request& r, const store::draft_record& d,
                     const domain::audience_catalogue& catalogue);

// api: the approval rule, the phone's forms and the messaging limit, as
// the REST API has them.
void add_console_draft_routes(http::router& routes, console_context& ctx, const alerts_context& api);

}  // namespace banditore::app
