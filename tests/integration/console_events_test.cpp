// An alert's live progress in the console over real loopback, with wa-sim
// as the Cloud API: one held event stream that receives an event at each
// change while the deliveries go out, and ends with the body's last chunk
// when the alert is done; a reconnection that already has the last event
// is told to stop (204).
#include "harness.hpp"
#include "raw_socket.hpp"

#include <banditore/domain/clock.hpp>
#include <banditore/domain/rfc3339.hpp>

#include <doctest/doctest.h>

#include <set>

using namespace harness;

namespace {

// A staff session's cookie ("name=value"), logged in through the form.
std::string log_in(alert_world& w, const std::string& role) {
  const std::string email = "e.bianchi@comune.example.it";
  const auto created = run_cli(w.dir.path, {"users", "create", "--email", email, "--name", "Elena Bianchi", "--role", role},
                               w.app.env);
  REQUIRE(created.exit_code == 0);
  auto password = created.out;
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  password = password.substr(password.rfind('\n') + 1);
  const auto r = call(w.app.base, "POST", "/console/login", "email=e.bianchi%40comune.example.it&password=" + password,
                      {{"Content-Type", "application/x-www-form-urlencoded"}});
  REQUIRE(r.status == 303);
  std::string cookie(r.header("Set-Cookie"));
  REQUIRE(!cookie.empty());
  return cookie.substr(0, cookie.find(';'));
}

std::string events_request(std::int64_t id, const std::string& cookie, const std::string& last_event_id = {}) {
  std::string req = "GET /console/alerts/" + std::to_string(id) + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Accept: text/event-stream\r\nCookie: " + cookie + "\r\n";
  if (!last_event_id.empty()) req += "Last-Event-ID: " + last_event_id + "\r\n";
  return req + "\r\n";
}

// The ids of the events in a body, in order.
std::vector<std::string> event_ids(const std::string& body) {
  std::vector<std::string> ids;
  for (auto at = body.find("\nid: "); at != std::string::npos; at = body.find("\nid: ", at + 1)) {
    const auto start = at + 5;
    ids.push_back(body.substr(start, body.find('\n', start) - start));
  }
  return ids;
}

}  // namespace

TEST_CASE("the console's event stream follows an alert as it goes out and closes when it is done") {
  // Three messages a second to six people: about two seconds of progress.
  alert_world w(std::map<std::string, std::string>{{"BANDITORE_WA_RATE", "3"}, {"BANDITORE_CONSOLE_TOTP", "optional"}});
  w.sim.subscribe_many(6, "3938");
  const auto cookie = log_in(w, "editor");
  const auto id = w.post_alert({{"category", "water"},
                                {"severity", "moderate"},
                                {"title", "Lavori in via Roma"},
                                {"text", "Domani pressione bassa."}})["id"]
                      .get<std::int64_t>();

  raw_socket stream(port_of(w.app.base));
  REQUIRE(stream.send_all(events_request(id, cookie)));
  const auto body = stream.read_all(std::chrono::seconds(60));
  INFO("body: " << body);
  REQUIRE(body.find("HTTP/1.1 200") == 0);
  CHECK(body.find("Content-Type: text/event-stream") != std::string::npos);
  CHECK(body.find("Transfer-Encoding: chunked") != std::string::npos);
  CHECK(body.find("retry: 5000") != std::string::npos);
  // Several events, each a change, the last the alert done; then the
  // terminating chunk: the server closed a whole body.
  const auto ids = event_ids(body);
  CHECK(ids.size() >= 3);
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
  REQUIRE(!ids.empty());
  CHECK(ids.back().rfind("done.", 0) == 0);
  CHECK(body.find("\"state\":\"done\"") != std::string::npos);
  CHECK(body.size() >= 5);
  CHECK(body.substr(body.size() - 5) == "0\r\n\r\n");
  CHECK(w.report(id)["state"] == "done");
  // No number in what the stream carried.
  CHECK(body.find("3938") == std::string::npos);

  // EventSource reconnecting with the last event it has: 204, stop.
  raw_socket again(port_of(w.app.base));
  REQUIRE(again.send_all(events_request(id, cookie, ids.back())));
  CHECK(again.read_until("\r\n\r\n", std::chrono::seconds(10)).find("HTTP/1.1 204") == 0);
  // Without it, the done alert's one event, and the end.
  raw_socket fresh(port_of(w.app.base));
  REQUIRE(fresh.send_all(events_request(id, cookie)));
  const auto once = fresh.read_all(std::chrono::seconds(10));
  CHECK(event_ids(once).size() == 1);
  CHECK(once.substr(once.size() - 5) == "0\r\n\r\n");
  // Without a session: the login page, nothing streamed.
  raw_socket anonymous(port_of(w.app.base));
  REQUIRE(anonymous.send_all(events_request(id, "banditore_session=nope")));
  CHECK(anonymous.read_until("\r\n\r\n", std::chrono::seconds(10)).find("HTTP/1.1 303") == 0);
}

TEST_CASE("an event stream is ended by the service's stop without waiting for its lifetime") {
  alert_world w(std::map<std::string, std::string>{{"BANDITORE_CONSOLE_TOTP", "optional"}});
  const auto cookie = log_in(w, "editor");
  // Scheduled an hour ahead: the stream stays open, waiting for it.
  const auto soon = banditore::domain::format_rfc3339_utc(banditore::domain::now_ms() + 3'600'000);
  const auto id = w.post_alert({{"category", "roads"},
                                {"severity", "minor"},
                                {"title", "Mercato spostato"},
                                {"text", "Il mercato si tiene in piazza Mazzini."},
                                {"send_at", soon}})["id"]
                      .get<std::int64_t>();
  raw_socket stream(port_of(w.app.base));
  REQUIRE(stream.send_all(events_request(id, cookie)));
  const auto first = stream.read_until("\"state\":\"scheduled\"", std::chrono::seconds(10));
  REQUIRE(first.find("\"state\":\"scheduled\"") != std::string::npos);
  const auto started = std::chrono::steady_clock::now();
  CHECK(w.app.stop(15) == 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
  const auto rest = stream.read_all(std::chrono::seconds(10));
  REQUIRE(rest.size() >= 5);
  CHECK(rest.substr(rest.size() - 5) == "0\r\n\r\n");
}
