#include <banditore/domain/alert.hpp>

#include <banditore/domain/alert_message.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

using namespace banditore::domain;
using json = nlohmann::json;

namespace {

const std::int64_t now = *parse_rfc3339("2026-11-24T12:00:00Z");

json alert(std::string title, std::string text) {
  return {{"category", "water"}, {"severity", "severe"}, {"title", std::move(title)}, {"text", std::move(text)}};
}

alert_limits free_text_only() {
  alert_limits l;
  l.text_framing = alert_text_framing("Lodi", severity_labels{});
  return l;
}

alert_limits with_template(std::size_t room) {
  auto l = free_text_only();
  l.template_form = true;
  l.template_params = {"title", "text"};
  l.template_room = room;
  return l;
}

std::string reason_for(const alert_validation& v, const std::string& field) {
  for (const auto& e : v.errors)
    if (e.field == field) return e.reason;
  return {};
}

}  // namespace

TEST_CASE("a title or text blank after trimming is refused, whatever the white space") {
  for (const char* blank : {"", " ", "\n\n", "\t \r\n", "\u00a0\u2003\u200b", "\u3000"}) {
    INFO("blank: " << blank);
    auto t = validate_alert(alert(blank, "Via Roma senz'acqua"), free_text_only(), now);
    CHECK_FALSE(t.draft);
    CHECK(reason_for(t, "title") == "must not be blank");
    auto x = validate_alert(alert("Guasto", blank), free_text_only(), now);
    CHECK(reason_for(x, "text") == "must not be blank");
  }
  CHECK(validate_alert(alert("  Guasto ", " x "), free_text_only(), now).draft);
}

TEST_CASE("free text over WhatsApp's 4096 characters with its frame is refused") {
  const auto framing = free_text_only().text_framing;
  const std::string title = "Guasto";
  const auto fits = max_text_body - framing - title.size();
  CHECK(validate_alert(alert(title, std::string(fits, 'x')), free_text_only(), now).draft);
  auto over = validate_alert(alert(title, std::string(fits + 1, 'x')), free_text_only(), now);
  CHECK_FALSE(over.draft);
  CHECK(reason_for(over, "text").find("4096") != std::string::npos);
  // Characters, not bytes: 4,000 accented letters are 8,000 bytes.
  std::string accented;
  for (int i = 0; i < 3000; ++i) accented += "è";
  CHECK(validate_alert(alert(title, accented), free_text_only(), now).draft);
}

TEST_CASE("a text too long for the template's room is refused, counted as folded") {
  auto fits = validate_alert(alert("Guasto", std::string(94, 'x')), with_template(100), now);
  CHECK(fits.draft);
  auto over = validate_alert(alert("Guasto", std::string(95, 'x')), with_template(100), now);
  CHECK_FALSE(over.draft);
  CHECK(reason_for(over, "text").find("template") != std::string::npos);
  // Line breaks fold away: 47 + 47 with a blank line becomes 47 + " — " + 47.
  auto folded = validate_alert(alert("Guasto", std::string(44, 'x') + "\n\n" + std::string(44, 'y')), with_template(100), now);
  CHECK(folded.draft);
}

TEST_CASE("a link is an https URL on one line") {
  auto ok = alert("Guasto", "Via Roma");
  ok["link"] = "https://www.comune.lodi.it/avvisi/12";
  auto v = validate_alert(ok, free_text_only(), now);
  REQUIRE(v.draft);
  CHECK(v.draft->link == "https://www.comune.lodi.it/avvisi/12");
  for (const char* bad : {"http://www.comune.lodi.it", "https://", "javascript:alert(1)", "https://a b.it", "https://x\n.it",
                          "https://localhost/"}) {
    auto b = alert("Guasto", "Via Roma");
    b["link"] = bad;
    INFO("link: " << bad);
    CHECK(reason_for(validate_alert(b, free_text_only(), now), "link").find("https") != std::string::npos);
  }
  auto long_link = alert("Guasto", "Via Roma");
  long_link["link"] = "https://a.it/" + std::string(max_link, 'x');
  CHECK_FALSE(validate_alert(long_link, free_text_only(), now).draft);
}

TEST_CASE("allow_duplicate is a boolean and is read apart from the alert") {
  auto a = alert("Guasto", "Via Roma");
  a["allow_duplicate"] = true;
  auto v = validate_alert(a, free_text_only(), now);
  REQUIRE(v.draft);
  CHECK(v.allow_duplicate);
  a["allow_duplicate"] = "yes";
  CHECK(reason_for(validate_alert(a, free_text_only(), now), "allow_duplicate") == "must be true or false");
  CHECK_FALSE(validate_alert(alert("Guasto", "Via Roma"), free_text_only(), now).allow_duplicate);
}

TEST_CASE("updates names the earlier alert by a positive integer") {
  auto a = alert("Guasto", "Via Roma");
  CHECK_FALSE(validate_alert(a, free_text_only(), now).updates);
  a["updates"] = 7;
  CHECK(validate_alert(a, free_text_only(), now).updates == 7);
  a["updates"] = nullptr;
  CHECK_FALSE(validate_alert(a, free_text_only(), now).updates);
  for (const auto& bad : {nlohmann::json(0), nlohmann::json(-3), nlohmann::json(1.5), nlohmann::json("7"),
                          nlohmann::json(18446744073709551615ULL)}) {
    a["updates"] = bad;
    INFO(bad.dump());
    CHECK(reason_for(validate_alert(a, free_text_only(), now), "updates").find("earlier alert") != std::string::npos);
  }
}

TEST_CASE("draft_id names a draft by a positive integer") {
  auto a = alert("Guasto", "Via Roma");
  CHECK_FALSE(validate_alert(a, free_text_only(), now).draft_id);
  a["draft_id"] = 12;
  CHECK(validate_alert(a, free_text_only(), now).draft_id == 12);
  a["draft_id"] = nullptr;
  CHECK_FALSE(validate_alert(a, free_text_only(), now).draft_id);
  for (const auto& bad : {nlohmann::json(0), nlohmann::json(-3), nlohmann::json(1.5), nlohmann::json("12"),
                          nlohmann::json(18446744073709551615ULL)}) {
    a["draft_id"] = bad;
    INFO(bad.dump());
    CHECK(reason_for(validate_alert(a, free_text_only(), now), "draft_id").find("positive integer") !=
          std::string::npos);
  }
}

TEST_CASE("an alert may name one attachment; its text is then a caption of at most 1024 characters") {
  const alert_limits limits;
  auto with_media = nlohmann::json::parse(
      R"({"category":"water","severity":"minor","title":"Acqua","text":"Via Roma","media":4})");
  const auto ok = validate_alert(with_media, limits, 0);
  REQUIRE(ok.errors.empty());
  CHECK(ok.media_id == 4);
  with_media["media"] = "4";
  CHECK(validate_alert(with_media, limits, 0).errors.at(0).field == "media");
  with_media["media"] = 0;
  CHECK(validate_alert(with_media, limits, 0).errors.at(0).field == "media");
  with_media["media"] = 4;
  with_media["text"] = std::string(1100, 'a');
  const auto long_caption = validate_alert(with_media, limits, 0);
  REQUIRE(long_caption.errors.size() == 1);
  CHECK(long_caption.errors[0].field == "text");
  with_media.erase("media");
  CHECK(validate_alert(with_media, limits, 0).errors.empty());  // as plain text it fits
}
