// A town website's news feed, served by the test, polled by the real
// binary: each item becomes a draft once, a changed item rewrites it, and
// only a person's POST /v1/alerts with draft_id sends it, once.
#include "harness.hpp"
#include "loopback_site.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>

using namespace harness;

namespace {

// WordPress-shaped RSS whose first item's title the test can change.
struct news_site : loopback_site {
  std::mutex mutex;
  std::string first_title = "Chiusura di via Mazzini per lavori";
  std::atomic<int> requests{0}, not_modified{0};

  news_site() {
    routes.add("GET", "/feed/", [this](banditore::http::request& req)
                   -> boost::asio::awaitable<banditore::http::response> {
      ++requests;
      std::string title;
      {
        std::lock_guard lock(mutex);
        title = first_title;
      }
      const std::string etag = "\"" + std::to_string(std::hash<std::string>{}(title)) + "\"";
      if (req.header("If-None-Match") == etag) {
        ++not_modified;
        banditore::http::response unchanged;
        unchanged.status = 304;
        unchanged.content_type.clear();
        co_return unchanged;
      }
      banditore::http::response r;
      r.content_type = "application/rss+xml; charset=UTF-8";
      r.headers.push_back({"ETag", etag});
      r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\" "
               "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Comune di Lugo</title>"
               "<item><title>" + title + "</title>"
               "<link>https://www.comune.lugo.example/2026/12/01/via-mazzini/</link>"
               "<pubDate>Tue, 01 Dec 2026 15:30:00 +0000</pubDate>"
               "<guid isPermaLink=\"false\">https://www.comune.lugo.example/?p=48213</guid>"
               "<description><![CDATA[<p>Da gioved&igrave; via Mazzini sar&agrave; chiusa.</p>]]></description>"
               "</item>"
               "<item><title>Mercato di Natale</title><link>http://www.comune.lugo.example/mercato/</link>"
               "<guid isPermaLink=\"false\">https://www.comune.lugo.example/?p=48190</guid>"
               "<description>Domenica in piazza</description></item>"
               "</channel></rss>";
      co_return r;
    });
    routes.add("GET", "/broken/", [](banditore::http::request&) -> boost::asio::awaitable<banditore::http::response> {
      banditore::http::response r;
      r.content_type = "text/html";
      r.body = "<html><body>Pagina non trovata</body></html>";
      co_return r;
    });
    start();
  }
  ~news_site() { stop(); }

  void retitle(std::string title) {
    std::lock_guard lock(mutex);
    first_title = std::move(title);
  }
};

json parsed(const banditore::http::client_response& r) { return json::parse(r.body); }

}  // namespace

TEST_CASE("news items become drafts once, are rewritten when changed, and are sent only by a person") {
  news_site site;
  alert_world w({{"BANDITORE_NEWS_FEEDS", "lugo=" + site.url("/feed/") + "," + site.url("/broken/")},
                 {"BANDITORE_NEWS_POLL_SECONDS", "1"},
                 {"BANDITORE_TOWN", "Lugo"}});
  const auto phones = w.sim.subscribe_many(3);

  REQUIRE(wait_until([&] { return count(w.app.db_file, "SELECT COUNT(*) FROM drafts") == 2; }));
  auto list = parsed(w.app.api("GET", "/v1/drafts", w.token));
  REQUIRE(list["drafts"].size() == 2);
  const auto mercato = list["drafts"][0];
  const auto mazzini = list["drafts"][1];
  CHECK(mazzini["title"] == "Chiusura di via Mazzini per lavori");
  CHECK(mazzini["text"] == "Da giovedì via Mazzini sarà chiusa.");
  CHECK(mazzini["town"] == "lugo");
  CHECK(mazzini["state"] == "draft");
  CHECK(mazzini["link"] == "https://www.comune.lugo.example/2026/12/01/via-mazzini/");
  CHECK(mazzini["published_at"] == "2026-12-01T15:30:00Z");
  // Alerts carry https links only: the http one is left out.
  CHECK(mercato["link"].is_null());

  // The next polls present the ETag: nothing new, nothing sent.
  REQUIRE(wait_until([&] { return site.not_modified.load() >= 1; }));
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM drafts") == 2);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 0);

  // The town fixes the title: the same draft is rewritten.
  site.retitle("Chiusura di via Mazzini fino a venerdì");
  const auto id = mazzini["id"].get<std::int64_t>();
  REQUIRE(wait_until([&] {
    return parsed(w.app.api("GET", "/v1/drafts/" + std::to_string(id), w.token))["title"] ==
           "Chiusura di via Mazzini fino a venerdì";
  }));
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM drafts") == 2);

  // A person sends it, as an alert with the draft's id.
  json body = {{"category", "roads"},
               {"severity", "moderate"},
               {"title", "Chiusura di via Mazzini fino a venerdì"},
               {"text", "Da giovedì via Mazzini sarà chiusa."},
               {"draft_id", id}};
  auto sent = w.post_alert(body);
  const auto alert_id = sent["id"].get<std::int64_t>();
  // The town's news goes to the town: the body named no towns.
  CHECK(sent["audience"]["towns"] == json::array({"lugo"}));
  w.await_state(alert_id, "done");
  for (const auto& p : phones) CHECK(w.sim.texts(p).back().find("via Mazzini") != std::string::npos);
  auto after = parsed(w.app.api("GET", "/v1/drafts/" + std::to_string(id), w.token));
  CHECK(after["state"] == "sent");
  CHECK(after["alert_id"] == alert_id);

  // Not twice, not once discarded, not a draft that does not exist.
  body["allow_duplicate"] = true;
  auto again = w.app.api("POST", "/v1/alerts", w.token, body.dump());
  CHECK(again.status == 409);
  CHECK(again.body.find("not a draft any more") != std::string::npos);
  CHECK(w.app.api("POST", "/v1/drafts/" + std::to_string(id) + "/discard", w.token).status == 409);
  const auto other = mercato["id"].get<std::int64_t>();
  auto discarded = w.app.api("POST", "/v1/drafts/" + std::to_string(other) + "/discard", w.token);
  CHECK(discarded.status == 200);
  CHECK(parsed(discarded)["state"] == "discarded");
  body["draft_id"] = other;
  CHECK(w.app.api("POST", "/v1/alerts", w.token, body.dump()).status == 409);
  body["draft_id"] = 999;
  CHECK(w.app.api("POST", "/v1/alerts", w.token, body.dump()).status == 409);
  body["draft_id"] = "uno";
  CHECK(w.app.api("POST", "/v1/alerts", w.token, body.dump()).status == 422);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 1);

  // Lists by state; unknown ids and states are refused precisely.
  CHECK(parsed(w.app.api("GET", "/v1/drafts", w.token))["drafts"].empty());
  CHECK(parsed(w.app.api("GET", "/v1/drafts?state=all", w.token))["drafts"].size() == 2);
  CHECK(parsed(w.app.api("GET", "/v1/drafts?state=sent", w.token))["drafts"].size() == 1);
  CHECK(w.app.api("GET", "/v1/drafts?state=bozza", w.token).status == 400);
  CHECK(w.app.api("GET", "/v1/drafts/0", w.token).status == 404);
  CHECK(w.app.api("GET", "/v1/drafts/12345", w.token).status == 404);
  CHECK(call(w.app.base, "GET", "/v1/drafts").status == 401);

  // The page that is not a feed is logged and counted, and stops nothing.
  REQUIRE(wait_until([&] {
    return count(w.app.db_file, "SELECT COUNT(*) FROM news_feed_state WHERE failures >= 1") == 1;
  }));
  const auto log = read_file(w.app.log_file);
  CHECK(log.find("\"news_feed.failed\"") != std::string::npos);
  CHECK(log.find("neither") == std::string::npos);
  CHECK(log.find("is not an Atom <feed>") != std::string::npos);
  auto metrics = call(w.app.base, "GET", "/metrics");
  CHECK(metrics.body.find("banditore_news_polls_total{outcome=\"failed\"}") != std::string::npos);
  CHECK(metrics.body.find("banditore_news_drafts_total{change=\"created\"} 2") != std::string::npos);
}
