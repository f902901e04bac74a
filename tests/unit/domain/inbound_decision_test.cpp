#include <banditore/domain/inbound_decision.hpp>

#include <doctest/doctest.h>

using namespace banditore::domain;

namespace {

constexpr std::int64_t now = 1'700'000'000'000;
constexpr std::int64_t day = 24LL * 3600 * 1000;

inbound_understanding understand(std::string_view type, std::string_view text, bool subscribed,
                                 std::int64_t last_help_at = 0, std::string_view reply_id = {}) {
  return understand_inbound({type, text, reply_id}, "Comune di Lugo", subscribed, last_help_at, day, now);
}

}  // namespace

TEST_CASE("Attiva from someone not subscribed is a subscription, read from the text") {
  auto u = understand("text", "Attiva", false);
  CHECK(u.verdict == decision::subscribe);
  CHECK(u.match.kind == command::subscribe);
  CHECK(u.policy == type_policy::read_command);
}

TEST_CASE("Attiva from a subscriber is already subscribed; Disattiva ends it") {
  CHECK(understand("text", "Attiva", true).verdict == decision::already_subscribed);
  CHECK(understand("text", "Disattiva", true).verdict == decision::unsubscribe);
  CHECK(understand("text", "Disattiva", false).verdict == decision::not_subscribed);
}

TEST_CASE("a tapped reply button says what it stands for, whatever its title reads") {
  auto u = understand("interactive", "Sì, grazie", false, 0, join_button_id);
  CHECK(u.verdict == decision::subscribe);
  CHECK(u.match.keyword == join_button_id);
  CHECK_FALSE(u.match.conflicting);
}

TEST_CASE("the help text goes again only once its interval has passed") {
  CHECK(understand("text", "buongiorno", false, now - day / 2).verdict == decision::help_suppressed);
  CHECK(understand("text", "buongiorno", false, now - day).verdict == decision::help);
  CHECK(understand("text", "buongiorno", false, 0).verdict == decision::help);
}

TEST_CASE("a type that is not read as a command is never understood as one") {
  auto u = understand("image", "Attiva", false);
  CHECK(u.match.kind == command::none);
  CHECK(u.verdict != decision::subscribe);
}

TEST_CASE("the service window opens when the citizen wrote, unless that time is in the future") {
  CHECK(window_opened_at(now - 5000, now) == now - 5000);
  CHECK(window_opened_at(now + 5000, now) == now);
  CHECK(window_opened_at(0, now) == now);
}
