#include <banditore/whatsapp/credentials_check.hpp>

#include <banditore/whatsapp/cloud_api.hpp>

#include <doctest/doctest.h>

using namespace banditore::whatsapp;

namespace {
const std::string number_id = "106540352242922";
}

TEST_CASE("the check reads the business number's own node with a few fields") {
  CHECK(phone_number_check_path("v24.0", number_id) == "/v24.0/106540352242922?fields=id,verified_name");
  CHECK(phone_number_check_path("/v24.0", "1") == "/v24.0/1?fields=id,verified_name");
}

TEST_CASE("the number's node is a good answer") {
  // As Meta answers GET /{phone-number-id}?fields=id,verified_name.
  auto v = judge_credentials(200, R"({"verified_name":"Comune di Lodi","id":"106540352242922"})", "", number_id);
  CHECK(v.state == credentials_state::ok);
  CHECK(v.verified_name == "Comune di Lodi");
}

TEST_CASE("an invalid or expired token is rejected") {
  // Graph API error 190 (OAuthException): https://developers.facebook.com/docs/graph-api/guides/error-handling/
  const std::string invalid =
      R"({"error":{"message":"Invalid OAuth access token - Cannot parse access token","type":"OAuthException","code":190,"fbtrace_id":"AbCd"}})";
  auto v = judge_credentials(401, invalid, "", number_id);
  CHECK(v.state == credentials_state::rejected);
  CHECK(v.error_code == 190);
  CHECK(v.detail == "Invalid OAuth access token - Cannot parse access token");
  const std::string expired =
      R"({"error":{"message":"Error validating access token: Session has expired on Friday, 04-Dec-26 04:00:00 PST.","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"AbCd"}})";
  CHECK(judge_credentials(400, expired, "", number_id).state == credentials_state::rejected);
}

TEST_CASE("a number id the token cannot see is rejected") {
  const std::string body =
      R"({"error":{"message":"Unsupported get request. Object with ID '1' does not exist, cannot be loaded due to missing permissions, or does not support this operation.","type":"GraphMethodException","code":100,"error_subcode":33,"fbtrace_id":"AbCd"}})";
  auto v = judge_credentials(400, body, "", number_id);
  CHECK(v.state == credentials_state::rejected);
  CHECK(v.error_code == 100);
}

TEST_CASE("no answer, a server error or throttling say nothing about the credentials") {
  CHECK(judge_credentials(0, "", "connection refused", number_id).state == credentials_state::unreachable);
  CHECK(judge_credentials(0, "", "timeout", number_id).detail == "timeout");
  CHECK(judge_credentials(500, R"({"error":{"message":"x","code":1}})", "", number_id).state ==
        credentials_state::unreachable);
  CHECK(judge_credentials(429, R"({"error":{"message":"x","code":4}})", "", number_id).state ==
        credentials_state::unreachable);
}

TEST_CASE("a 200 that is not the number's node is not taken for good credentials") {
  CHECK(judge_credentials(200, "<html>proxy</html>", "", number_id).state == credentials_state::rejected);
  CHECK(judge_credentials(200, R"({"id":"999"})", "", number_id).state == credentials_state::rejected);
}

TEST_CASE("wa-sim answers with the node as Meta shapes it") {
  auto body = make_phone_number_info_body(number_id, "Comune (wa-sim)", "+390000000000");
  auto info = parse_phone_number_info(body);
  REQUIRE(info);
  CHECK(info->id == number_id);
  CHECK(info->verified_name == "Comune (wa-sim)");
}
