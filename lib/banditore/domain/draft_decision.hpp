// What may happen to a draft, and who may do it: the states a person's
// draft goes through (draft -> pending -> sent, or rejected and back to
// editable) and the rule that nobody approves what they wrote. Shared by
// the store engines, so each applies it inside its own transaction.
#pragma once

#include <banditore/domain/alert.hpp>
#include <banditore/domain/approval_rule.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::domain {

// How a draft leaves: approved by a second person (it was pending), sent
// directly by a publisher where the approval rule does not ask for a
// second person, or sent by the emergency capability past the rule.
enum class draft_send { approve, direct, bypass };
std::string_view to_string(draft_send);

enum class draft_verdict { allowed, wrong_state, own_draft };

// Whether who (an actor's name, "key:NAME" or "staff:ID") may act on a
// draft in state, written by author and last changed by editor.
// Editing and submitting: a draft or a rejected draft; rejecting: a
// pending draft (its author may withdraw it so, to edit it again);
// approving: a pending draft, never by its author or last editor; a
// direct or bypassing send: any draft not sent or discarded.
draft_verdict may_edit(std::string_view state);
draft_verdict may_submit(std::string_view state);
draft_verdict may_reject(std::string_view state);
draft_verdict may_send(draft_send how, std::string_view state, std::string_view author, std::string_view editor,
                       std::string_view who);

// What a person may do with drafts. An editor writes and submits; a
// publisher also approves, rejects and sends where the rule asks for no
// second person; the emergency capability sends past the rule.
struct draft_powers {
  bool write = false;
  bool decide = false;
  bool emergency = false;
};
// A staff role: editor, publisher, admin (admin: every power).
draft_powers powers_of_role(std::string_view role);
// An API key's scopes: drafts:write writes; alerts:send writes and
// decides; alerts:emergency adds the emergency capability to a key that
// decides.
draft_powers powers_of_scopes(const std::vector<std::string>& scopes);

// How a person with these powers may send an alert of this category and
// severity without a second person: direct where the rule asks for none,
// bypass where it asks for one and they hold the emergency capability;
// nullopt when it must go through a draft's approval (or they cannot
// decide at all).
std::optional<draft_send> send_without_approval(const approval_rule& rule, std::string_view category, severity level,
                                                const draft_powers& powers);

}  // namespace banditore::domain
