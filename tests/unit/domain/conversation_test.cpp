#include <banditore/domain/conversation.hpp>

#include <doctest/doctest.h>

using namespace banditore::domain;

TEST_CASE("only an explicit subscribe command subscribes") {
  CHECK(decide(type_policy::read_command, command::subscribe, false, true) == decision::subscribe);
  CHECK(decide(type_policy::read_command, command::none, false, true) == decision::help);
  CHECK(decide(type_policy::help, command::subscribe, false, true) == decision::help);
}

TEST_CASE("each command gets its confirmation") {
  CHECK(decide(type_policy::read_command, command::subscribe, true, true) == decision::already_subscribed);
  CHECK(decide(type_policy::read_command, command::unsubscribe, true, true) == decision::unsubscribe);
  CHECK(decide(type_policy::read_command, command::unsubscribe, false, true) == decision::not_subscribed);
  CHECK(reply_for(decision::subscribe) == reply_kind::subscribed);
  CHECK(reply_for(decision::already_subscribed) == reply_kind::already_subscribed);
  CHECK(reply_for(decision::unsubscribe) == reply_kind::unsubscribed);
  CHECK(reply_for(decision::not_subscribed) == reply_kind::not_subscribed);
  CHECK(reply_for(decision::help) == reply_kind::help);
}

TEST_CASE("the help text is not repeated inside its period, but Info is always answered") {
  CHECK(decide(type_policy::read_command, command::none, false, false) == decision::help_suppressed);
  CHECK_FALSE(reply_for(decision::help_suppressed).has_value());
  CHECK(decide(type_policy::read_command, command::info, false, false) == decision::info);
}

TEST_CASE("each WhatsApp message type has a documented treatment") {
  for (auto t : {"text", "button", "interactive"}) CHECK(policy_for_type(t) == type_policy::read_command);
  for (auto t : {"image", "audio", "video", "document", "location", "contacts", "unsupported", "order", "unknown"})
    CHECK(policy_for_type(t) == type_policy::help);
  for (auto t : {"reaction", "sticker", "system"}) CHECK(policy_for_type(t) == type_policy::ignore);
  CHECK(decide(type_policy::ignore, command::subscribe, false, true) == decision::ignored);
  CHECK_FALSE(reply_for(decision::ignored).has_value());
}

TEST_CASE("a request to leave is answered whatever the help limit") {
  CHECK(decide(type_policy::read_command, command::unsubscribe, true, false) == decision::unsubscribe);
  CHECK(decide(type_policy::read_command, command::unsubscribe, false, false) == decision::not_subscribed);
}

TEST_CASE("a probable request is asked with buttons, whatever the help limit") {
  CHECK(decide(type_policy::read_command, command::unclear, true, false) == decision::ask);
  CHECK(decide(type_policy::read_command, command::unclear, false, true) == decision::ask);
  CHECK(reply_for(decision::ask) == reply_kind::ask);
}

TEST_CASE("only our button ids stand for commands") {
  CHECK(command_for_button("banditore:join") == command::subscribe);
  CHECK(command_for_button("banditore:leave") == command::unsubscribe);
  CHECK(command_for_button("banditore:info") == command::info);
  CHECK_FALSE(command_for_button("Attiva").has_value());
  CHECK_FALSE(command_for_button("").has_value());
}
