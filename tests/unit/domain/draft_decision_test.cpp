#include <banditore/domain/draft_decision.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace banditore::domain;

TEST_CASE("draft decision: the author cannot approve their own draft, another person can") {
  CHECK(may_send(draft_send::approve, "pending", "key:anna", "key:anna", "key:anna") == draft_verdict::own_draft);
  CHECK(may_send(draft_send::approve, "pending", "key:anna", "key:anna", "key:bruno") == draft_verdict::allowed);
}

TEST_CASE("draft decision: whoever changed the draft last cannot approve it either") {
  CHECK(may_send(draft_send::approve, "pending", "key:anna", "key:bruno", "key:bruno") == draft_verdict::own_draft);
  CHECK(may_send(draft_send::approve, "pending", "key:anna", "key:bruno", "key:carla") == draft_verdict::allowed);
  // A draft without an author (from a news feed) is nobody's own.
  CHECK(may_send(draft_send::approve, "pending", "", "", "key:carla") == draft_verdict::allowed);
}

TEST_CASE("draft decision: only a pending draft is approved or rejected") {
  for (std::string_view state : {"draft", "rejected", "sent", "discarded"}) {
    CHECK(may_send(draft_send::approve, state, "key:anna", "", "key:bruno") == draft_verdict::wrong_state);
    CHECK(may_reject(state) == draft_verdict::wrong_state);
  }
  CHECK(may_reject("pending") == draft_verdict::allowed);
}

TEST_CASE("draft decision: a draft or a rejected draft is edited and submitted, a pending or sent one is not") {
  CHECK(may_edit("draft") == draft_verdict::allowed);
  CHECK(may_edit("rejected") == draft_verdict::allowed);
  CHECK(may_submit("draft") == draft_verdict::allowed);
  CHECK(may_submit("rejected") == draft_verdict::allowed);
  for (std::string_view state : {"pending", "sent", "discarded"}) {
    CHECK(may_edit(state) == draft_verdict::wrong_state);
    CHECK(may_submit(state) == draft_verdict::wrong_state);
  }
}

TEST_CASE("draft decision: a direct or bypassing send takes any draft not sent or discarded, even one's own") {
  for (auto how : {draft_send::direct, draft_send::bypass}) {
    for (std::string_view state : {"draft", "pending", "rejected"})
      CHECK(may_send(how, state, "key:anna", "key:anna", "key:anna") == draft_verdict::allowed);
    CHECK(may_send(how, "sent", "key:anna", "", "key:bruno") == draft_verdict::wrong_state);
    CHECK(may_send(how, "discarded", "key:anna", "", "key:bruno") == draft_verdict::wrong_state);
  }
  CHECK(to_string(draft_send::approve) == "approve");
  CHECK(to_string(draft_send::direct) == "direct");
  CHECK(to_string(draft_send::bypass) == "bypass");
}

TEST_CASE("draft decision: an editor writes but cannot approve, a publisher decides, only admin bypasses") {
  const auto editor = powers_of_role("editor");
  CHECK(editor.write);
  CHECK_FALSE(editor.decide);
  CHECK_FALSE(editor.emergency);
  const auto publisher = powers_of_role("publisher");
  CHECK(publisher.write);
  CHECK(publisher.decide);
  CHECK_FALSE(publisher.emergency);
  const auto admin = powers_of_role("admin");
  CHECK(admin.decide);
  CHECK(admin.emergency);
  CHECK_FALSE(powers_of_role("citizen").write);
}

TEST_CASE("draft decision: a key's scopes give its powers, and the emergency scope alone decides nothing") {
  using scopes = std::vector<std::string>;
  const auto writer = powers_of_scopes(scopes{"drafts:write", "alerts:read"});
  CHECK(writer.write);
  CHECK_FALSE(writer.decide);
  const auto sender = powers_of_scopes(scopes{"alerts:send"});
  CHECK(sender.write);
  CHECK(sender.decide);
  CHECK_FALSE(sender.emergency);
  CHECK(powers_of_scopes(scopes{"alerts:send", "alerts:emergency"}).emergency);
  const auto lone = powers_of_scopes(scopes{"alerts:emergency"});
  CHECK_FALSE(lone.decide);
  CHECK_FALSE(lone.emergency);
}

TEST_CASE("draft decision: a publisher sends directly only where the rule asks for no second person") {
  const auto rule = *parse_approval_rule("severity>=severe").rule;
  const draft_powers publisher{true, true, false};
  CHECK(send_without_approval(rule, "water", severity::moderate, publisher) == draft_send::direct);
  CHECK_FALSE(send_without_approval(rule, "water", severity::severe, publisher).has_value());
  CHECK_FALSE(send_without_approval(approval_rule{}, "water", severity::minor, publisher).has_value());
  // An editor sends nothing without a second person, whatever the rule.
  const draft_powers editor{true, false, false};
  CHECK_FALSE(send_without_approval(*parse_approval_rule("none").rule, "water", severity::minor, editor).has_value());
}

TEST_CASE("draft decision: the emergency capability sends past the rule, as a bypass") {
  const auto rule = *parse_approval_rule("all").rule;
  const draft_powers emergency{true, true, true};
  CHECK(send_without_approval(rule, "civil_protection", severity::extreme, emergency) == draft_send::bypass);
  // Where the rule asks for nobody, the send is direct: no bypass to record.
  CHECK(send_without_approval(*parse_approval_rule("none").rule, "water", severity::minor, emergency) ==
        draft_send::direct);
}
