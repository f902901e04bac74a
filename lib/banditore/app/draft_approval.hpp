// Approving a pending draft: the alert made from the draft's own text, at
// the revision the approver read, in the transaction that marks the draft
// sent. POST /v1/drafts/{id}/approve and the console's draft page share it,
// so both judge alike (docs/approval.md); each says the outcome in its own
// words.
#pragma once

#include <banditore/domain/audience.hpp>
#include <banditore/store/alerts.hpp>
#include <banditore/store/drafts.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace banditore::store {
class audience;
}

namespace banditore::app {

enum class approval_outcome {
  approved,
  not_found,
  wrong_state,        // not pending (draft.state says which)
  other_towns,        // the approver is limited to towns the draft does not name (detail says why)
  everyone_for_some,  // the draft is for every town, the approver only for some
  expired,
  own_draft,    // the approver wrote it or changed it last
  stale,        // the draft is at another revision than the one read
  unavailable,  // no longer pending: decided meanwhile
  failed,
};

struct approval_request {
  std::int64_t draft_id = 0;
  std::int64_t revision = 0;  // as the approver read it
  store::actor who;
  std::string source;              // the alert's, unless the draft came from CAP: "api", "console"
  std::vector<std::string> towns;  // the approver's; empty: every town
  std::int64_t tier_limit = 0;
};

struct approval_result {
  approval_outcome outcome = approval_outcome::failed;
  std::optional<store::draft_record> draft;  // as read; absent when not found
  std::string detail;                        // other_towns: the reason
  std::int64_t alert_id = 0;
  std::optional<store::alert_report> report;  // approved
};

// Whether someone limited to towns (a staff user, an API key) may reach a
// draft (list it, open it, edit, submit, discard, reject or approve it):
// its audience lies inside their towns (a website news draft: its feed's
// town). A draft for every town is outside their reach, as an alert for
// every town is for cancel and approval. towns empty: every town, every
// draft. catalogue: its areas say which town each belongs to.
bool draft_within_towns(const store::draft_record& d, const std::vector<std::string>& towns,
                        const domain::audience_catalogue& catalogue);

// catalogue: for an approver limited to towns (nullptr: none to read).
boost::asio::awaitable<approval_result> approve_draft(store::drafts& drafts, store::alerts& alerts,
                                                      store::audience* catalogue, approval_request request,
                                                      std::int64_t now_ms);

}  // namespace banditore::app
