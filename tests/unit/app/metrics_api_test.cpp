#include <banditore/app/metrics_api.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>

using namespace banditore;

namespace {

const std::string token = "0123456789abcdef0123";

http::request scrape(bool loopback, std::string authorization = {}) {
  http::request r;
  r.method = "GET";
  r.path = "/metrics";
  r.remote_is_loopback = loopback;
  if (!authorization.empty()) r.headers = {{"Authorization", std::move(authorization)}};
  return r;
}

// Runs GET /metrics through the router on a private io_context.
http::response serve(app::metrics_context& ctx, http::request request) {
  http::router router;
  app::add_metrics_route(router, ctx);
  int status = 0;
  const auto* h = router.match(request, status);
  REQUIRE(h != nullptr);
  boost::asio::io_context io;
  std::optional<http::response> out;
  std::exception_ptr error;
  auto run = [&]() -> boost::asio::awaitable<void> { out = co_await (*h)(request); };
  boost::asio::co_spawn(io, run, [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
  REQUIRE(out.has_value());
  return *out;
}

}  // namespace

TEST_CASE("without a token a loopback client reads the metrics as Prometheus text") {
  metrics::registry reg;
  reg.gauge_for("banditore_subscribers", "Subscribers on the list.").set(3);
  app::metrics_context ctx{&reg, "", {}};
  auto r = serve(ctx, scrape(true));
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(r.body == reg.render());
  CHECK(r.body.find("banditore_subscribers 3\n") != std::string::npos);
}

TEST_CASE("without a token a remote client is refused with a 403 problem") {
  metrics::registry reg;
  app::metrics_context ctx{&reg, "", {}};
  auto r = serve(ctx, scrape(false));
  CHECK(r.status == 403);
  CHECK(r.content_type == "application/problem+json");
}

TEST_CASE("with a token a remote client presenting it reads the metrics") {
  metrics::registry reg;
  app::metrics_context ctx{&reg, token, {}};
  CHECK(serve(ctx, scrape(false, "Bearer " + token)).status == 200);
}

TEST_CASE("with a token even a loopback client without it is refused") {
  // Behind a reverse proxy every request arrives from loopback.
  CHECK(app::metrics_refusal(scrape(true), token).has_value());
}

TEST_CASE("a wrong token is refused without being repeated") {
  auto refusal = app::metrics_refusal(scrape(false, "Bearer wrong-token-1234567890"), token);
  REQUIRE(refusal.has_value());
  CHECK(refusal->status == 403);
  CHECK(refusal->body.find("wrong-token") == std::string::npos);
  CHECK(refusal->body.find(token) == std::string::npos);
}

TEST_CASE("a token that only starts like the right one is refused") {
  CHECK(app::metrics_refusal(scrape(false, "Bearer " + token.substr(0, 10)), token).has_value());
}

TEST_CASE("the gauges are refreshed before each scrape is rendered") {
  metrics::registry reg;
  int refreshes = 0;
  app::metrics_context ctx{&reg, "", {}};
  ctx.refresh = [&]() -> boost::asio::awaitable<void> {
    ++refreshes;
    reg.gauge_for("banditore_subscribers", "Subscribers on the list.").set(refreshes * 10);
    co_return;
  };
  serve(ctx, scrape(true));
  auto r = serve(ctx, scrape(true));
  CHECK(refreshes == 2);
  CHECK(r.body.find("banditore_subscribers 20\n") != std::string::npos);
}

TEST_CASE("a refused scrape does not touch the database") {
  metrics::registry reg;
  int refreshes = 0;
  app::metrics_context ctx{&reg, "", {}};
  ctx.refresh = [&]() -> boost::asio::awaitable<void> {
    ++refreshes;
    co_return;
  };
  serve(ctx, scrape(false));
  CHECK(refreshes == 0);
}

TEST_CASE("a failing refresh fails the scrape") {
  metrics::registry reg;
  app::metrics_context ctx{&reg, "", {}};
  ctx.refresh = []() -> boost::asio::awaitable<void> {
    throw std::runtime_error("database is locked");
    co_return;
  };
  CHECK_THROWS_AS(serve(ctx, scrape(true)), std::runtime_error);
}

TEST_CASE("the store figures become gauges, every outbox state included") {
  metrics::registry reg;
  store::store_figures f;
  f.subscribers = 120;
  f.flagged = 2;
  f.outbox_by_state = {{"queued", 5}, {"sent", 0}};
  f.oldest_due_ms = 1500;
  f.journal_rows = 40;
  f.journal_oldest_ms = 2500;
  app::publish_store_figures(f, reg);
  const auto text = reg.render();
  CHECK(text.find("banditore_subscribers 120\n") != std::string::npos);
  CHECK(text.find("banditore_subscribers_flagged 2\n") != std::string::npos);
  CHECK(text.find("banditore_outbox_messages{state=\"queued\"} 5\n") != std::string::npos);
  CHECK(text.find("banditore_outbox_messages{state=\"sent\"} 0\n") != std::string::npos);
  CHECK(text.find("banditore_outbox_oldest_due_seconds 1.5\n") != std::string::npos);
  CHECK(text.find("banditore_inbound_journal_rows 40\n") != std::string::npos);
  CHECK(text.find("banditore_inbound_journal_oldest_seconds 2.5\n") != std::string::npos);
}

TEST_CASE("each number's limit gauges show its portfolio's tier and use; one number shows the deployment's") {
  store::store_figures f;
  f.limit_used = 340;
  f.limit_used_by_portfolio = {{"900", 300}, {"901", 40}};
  {
    metrics::registry reg;
    app::publish_limit_figures(f, {{"lugo", "900", 2000}, {"bagnacavallo", "900", 2000}, {"conselice", "901", 250},
                                   {"fusignano", "902", 0}},
                               reg);
    const auto text = reg.render();
    CHECK(text.find("banditore_messaging_limit{number=\"lugo\"} 2000\n") != std::string::npos);
    CHECK(text.find("banditore_messaging_limit{number=\"fusignano\"} 0\n") != std::string::npos);
    // Numbers of one portfolio show its one use; another portfolio its own.
    CHECK(text.find("banditore_messaging_limit_used{number=\"lugo\"} 300\n") != std::string::npos);
    CHECK(text.find("banditore_messaging_limit_used{number=\"bagnacavallo\"} 300\n") != std::string::npos);
    CHECK(text.find("banditore_messaging_limit_used{number=\"conselice\"} 40\n") != std::string::npos);
    CHECK(text.find("banditore_messaging_limit_used{number=\"fusignano\"} 0\n") != std::string::npos);
    CHECK(text.find("900") == std::string::npos);  // the portfolio's id is no label
  }
  metrics::registry reg;
  app::publish_limit_figures(f, {{"default", "", 250}}, reg);
  const auto text = reg.render();
  CHECK(text.find("banditore_messaging_limit{number=\"default\"} 250\n") != std::string::npos);
  CHECK(text.find("banditore_messaging_limit_used{number=\"default\"} 340\n") != std::string::npos);
}
