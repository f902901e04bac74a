// Inputs found by fuzz/webhook_fuzz.cpp: what the parser accepts, the
// builders wa-sim uses must write back without undefined behaviour.
#include <banditore/testing/webhook_bodies.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>

using namespace banditore::whatsapp;
using namespace banditore::testing;

TEST_CASE("a sent status at the largest timestamp builds a window end that does not overflow") {
  status_update s;
  s.id = "wamid.MAX";
  s.recipient_id = "393331234567";
  s.status = delivery_status::sent;
  s.timestamp = std::numeric_limits<std::int64_t>::max();
  const auto body = make_status_notification("106540352242922", "15550783881", {s});
  const auto sent = nlohmann::json::parse(body)["entry"][0]["changes"][0]["value"]["statuses"][0];
  CHECK(sent["conversation"]["expiration_timestamp"] == "9223372036854775807");
  // The parser refuses a time past the year 9999 (max_timestamp_seconds):
  // what the builder writes must still be well formed, and refused whole.
  const auto again = parse_notification(body);
  CHECK_FALSE(again.value.has_value());
}

TEST_CASE("a sent status an hour before the largest timestamp still ends its window at the largest") {
  status_update s;
  s.id = "wamid.NEAR";
  s.recipient_id = "393331234567";
  s.status = delivery_status::sent;
  s.timestamp = std::numeric_limits<std::int64_t>::max() - 3600;
  const auto body = make_status_notification("106540352242922", "15550783881", {s});
  const auto sent = nlohmann::json::parse(body)["entry"][0]["changes"][0]["value"]["statuses"][0];
  CHECK(sent["conversation"]["expiration_timestamp"] == "9223372036854775807");
}
