#include <banditore/whatsapp/errors.hpp>

#include <doctest/doctest.h>

using namespace banditore::whatsapp;

namespace {
struct row {
  int code;
  send_action action;
};

void check_all(std::initializer_list<row> rows, int http_status) {
  for (auto [code, action] : rows) {
    CAPTURE(code);
    CAPTURE(http_status);
    CHECK(to_string(classify(code, http_status)) == to_string(action));
  }
}
}  // namespace

TEST_CASE("transient Meta errors are retried later") {
  check_all({{1, send_action::retry_later},
             {2, send_action::retry_later},
             {131000, send_action::retry_later},
             {131016, send_action::retry_later},
             {131057, send_action::retry_later},
             {133004, send_action::retry_later},
             {135000, send_action::retry_later}},
            500);
}

TEST_CASE("throughput limits pause the whole bucket") {
  check_all({{4, send_action::slow_down},
             {80007, send_action::slow_down},
             {130429, send_action::slow_down},
             {131048, send_action::slow_down}},
            400);
}

TEST_CASE("the pair rate limit delays only that recipient") {
  CHECK(classify(131056, 400) == send_action::retry_recipient_later);
}

TEST_CASE("an expired 24-hour window asks for a template") {
  CHECK(classify(131047, 400) == send_action::use_template);
  CHECK(classify(470, 400) == send_action::use_template);
}

TEST_CASE("a citizen who stopped these messages is an opt-out") {
  CHECK(classify(131050, 400) == send_action::opt_out);
}

TEST_CASE("undeliverable, invalid and policy errors are permanent") {
  check_all({{100, send_action::permanent},
             {368, send_action::permanent},
             {131008, send_action::permanent},
             {131009, send_action::permanent},
             {131026, send_action::permanent},
             {131031, send_action::permanent},
             {131051, send_action::permanent},
             {131052, send_action::permanent},
             {131053, send_action::permanent},
             {132000, send_action::permanent},
             {132001, send_action::permanent},
             {132015, send_action::permanent},
             {132999, send_action::permanent}},
            400);
}

TEST_CASE("token, permission and number set-up errors stop sending for the operator") {
  check_all({{10, send_action::configuration},
             {190, send_action::configuration},
             {200, send_action::configuration},
             {250, send_action::configuration},
             {299, send_action::configuration},
             {131005, send_action::configuration},
             {131030, send_action::configuration},
             {133010, send_action::configuration}},
            400);
}

TEST_CASE("the code decides whatever the HTTP status") {
  CHECK(classify(131026, 400) == send_action::permanent);
  CHECK(classify(131026, 200) == send_action::permanent);
  CHECK(classify(130429, 400) == send_action::slow_down);
  CHECK(classify(130429, 429) == send_action::slow_down);
  CHECK(classify(131047, 200) == send_action::use_template);
  CHECK(classify(190, 401) == send_action::configuration);
  CHECK(classify(131000, 400) == send_action::retry_later);
  CHECK(classify(2, 503) == send_action::retry_later);
}

TEST_CASE("without a Meta code, 429 slows down") {
  CHECK(classify(0, 429) == send_action::slow_down);
}

TEST_CASE("without a Meta code, a 5xx or no response is retried later") {
  CHECK(classify(0, 0) == send_action::retry_later);
  CHECK(classify(0, 500) == send_action::retry_later);
  CHECK(classify(0, 502) == send_action::retry_later);
  CHECK(classify(0, 504) == send_action::retry_later);
}

TEST_CASE("without a Meta code, another 4xx is permanent") {
  CHECK(classify(0, 400) == send_action::permanent);
  CHECK(classify(0, 404) == send_action::permanent);
  CHECK(classify(0, 413) == send_action::permanent);
}

TEST_CASE("a code this table does not know falls back on the HTTP status") {
  CHECK(classify(999999, 400) == send_action::permanent);
  CHECK(classify(999999, 503) == send_action::retry_later);
  CHECK(classify(999999, 429) == send_action::slow_down);
}

TEST_CASE("actions have names for logs and metrics") {
  CHECK(to_string(send_action::retry_later) == "retry_later");
  CHECK(to_string(send_action::slow_down) == "slow_down");
  CHECK(to_string(send_action::retry_recipient_later) == "retry_recipient_later");
  CHECK(to_string(send_action::use_template) == "use_template");
  CHECK(to_string(send_action::opt_out) == "opt_out");
  CHECK(to_string(send_action::permanent) == "permanent");
  CHECK(to_string(send_action::configuration) == "configuration");
}
