// The subscription loop end to end: wa-sim plays the citizens and the Cloud
// API, banditore runs as the real binary on a loopback port.
#include "harness.hpp"

#include <banditore/domain/replies.hpp>
#include <banditore/whatsapp/signature.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <csignal>

using namespace harness;
using banditore::http::header_field;
using env_map = std::map<std::string, std::string>;

namespace {

// Waits until the phone's inbox holds n texts and returns them.
std::vector<std::string> await_texts(wa_sim& sim, const std::string& phone, std::size_t n) {
  std::vector<std::string> texts;
  bool ok = wait_until([&] {
    texts = sim.texts(phone);
    return texts.size() >= n;
  });
  INFO("inbox of the test phone: " << texts.size() << " of " << n << " texts");
  REQUIRE(ok);
  return texts;
}

banditore::http::client_response post_signed(const std::string& base, const std::string& body,
                                             const std::string& content_type = "application/json") {
  return call(base, "POST", "/webhook/whatsapp", body,
              {{"Content-Type", content_type},
               {"X-Hub-Signature-256", banditore::whatsapp::sign_body(body, sim_secret)}});
}

struct world {
  temp_dir dir;
  wa_sim sim{dir.path};
  banditore_server app;
  explicit world(std::map<std::string, std::string> env = {}) : app(dir.path, sim, std::move(env)) {
    app.start();
    sim.configure({{"webhook_url", app.base + "/webhook/whatsapp"}});
  }
};

const std::string alice = "393331112233";
const std::string bruno = "393334445566";
const std::string carla = "393337778899";

}  // namespace

TEST_CASE("a citizen who texts Attiva is subscribed and told so") {
  world w;
  auto r = w.sim.citizen_says(alice, "Attiva");
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body)["webhook_status"][0] == 200);
  auto texts = await_texts(w.sim, alice, 1);
  CHECK(texts[0].find("DISATTIVA") != std::string::npos);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == 1);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM consent_log WHERE event = 'subscribe'") == 1);
}

TEST_CASE("a redelivered message id changes nothing and sends no second reply") {
  world w;
  w.sim.citizen_says(alice, "Attiva", "wamid.same-message-twice");
  w.sim.citizen_says(alice, "Attiva", "wamid.same-message-twice");
  // Replies leave in order: had the duplicate produced one, it would come
  // before the answer to this later message.
  w.sim.citizen_says(alice, "Info");
  auto texts = await_texts(w.sim, alice, 2);
  CHECK(texts.size() == 2);
  CHECK(texts[1].find("ATTIVA") != std::string::npos);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM inbound_messages") == 2);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM consent_log") == 1);
}

TEST_CASE("a webhook with a wrong or missing signature is refused and nothing is stored or sent") {
  world w;
  auto r = call(w.sim.base, "POST", "/sim/citizens/messages",
                json{{"messages", {{{"from", alice}, {"text", "Attiva"}}}}, {"signature", "wrong"}}.dump());
  CHECK(json::parse(r.body)["webhook_status"][0] == 401);
  r = call(w.sim.base, "POST", "/sim/citizens/messages",
           json{{"messages", {{{"from", alice}, {"text", "Attiva"}}}}, {"signature", "none"}}.dump());
  CHECK(json::parse(r.body)["webhook_status"][0] == 401);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM inbound_messages") == 0);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == 0);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM outbox") == 0);
}

TEST_CASE("Disattiva unsubscribes, erases the number and confirms") {
  world w;
  w.sim.citizen_says(alice, "Attiva");
  await_texts(w.sim, alice, 1);
  w.sim.citizen_says(alice, "disattiva!");
  auto texts = await_texts(w.sim, alice, 2);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == 0);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM consent_log WHERE event = 'unsubscribe'") == 1);
  // The reply's encrypted copy of the number is erased once it is sent.
  CHECK(wait_until([&] {
    return count(w.app.db_file, "SELECT COUNT(*) FROM outbox WHERE recipient_cipher IS NOT NULL") == 0;
  }));
  // Afterwards "grazie" does not subscribe again.
  w.sim.citizen_says(alice, "grazie");
  w.sim.citizen_says(alice, "Disattiva");
  texts = await_texts(w.sim, alice, 4);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == 0);
}

TEST_CASE("unknown texts get the help text at most once per period") {
  world w;
  w.sim.citizen_says(bruno, "buongiorno");
  w.sim.citizen_says(bruno, "c'è qualcuno?");
  w.sim.citizen_says(bruno, "Attiva");
  auto texts = await_texts(w.sim, bruno, 2);
  CHECK(texts.size() == 2);
  CHECK(texts[0].find("ATTIVA") != std::string::npos);   // the help text
  CHECK(texts[1].find("DISATTIVA") != std::string::npos);  // the subscription
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM inbound_messages WHERE decision = 'help_suppressed'") == 1);
}

TEST_CASE("the verification handshake echoes the challenge only for the right token") {
  world w;
  auto ok = call(w.app.base, "GET", "/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=" + verify_token +
                                        "&hub.challenge=1158201444");
  CHECK(ok.status == 200);
  CHECK(ok.body == "1158201444");
  CHECK(ok.header("Content-Type").starts_with("text/plain"));
  auto wrong = call(w.app.base, "GET", "/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1");
  CHECK(wrong.status == 403);
  CHECK(wrong.header("Content-Type") == "application/problem+json");
  auto mode = call(w.app.base, "GET", "/webhook/whatsapp?hub.mode=unsubscribe&hub.verify_token=" + verify_token + "&hub.challenge=1");
  CHECK(mode.status == 403);
}

TEST_CASE("a restart keeps every subscription") {
  world w;
  for (const auto& p : {alice, bruno, carla}) w.sim.citizen_says(p, "Attiva");
  for (const auto& p : {alice, bruno, carla}) await_texts(w.sim, p, 1);
  CHECK(w.app.stop(SIGTERM) == 0);
  CHECK(read_file(w.app.log_file).find("\"server.stopped\"") != std::string::npos);
  w.app.start();
  w.sim.configure({{"webhook_url", w.app.base + "/webhook/whatsapp"}});
  w.sim.citizen_says(bruno, "ATTIVA");
  auto texts = await_texts(w.sim, bruno, 2);
  auto replies = banditore::domain::italian_replies();
  // The confirmation, then what they receive.
  CHECK(texts[1].starts_with(replies.already_subscribed + "\n\nOra ricevi:"));
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == 3);
}

TEST_CASE("killing the process while a reply is in flight loses no reply") {
  world w(env_map{{"BANDITORE_WA_TIMEOUT_MS", "60000"}});
  // The first send is held by the simulator and never answered.
  call(w.sim.base, "POST", "/sim/faults", json{{"kind", "timeout"}, {"count", 1}}.dump());
  w.sim.citizen_says(carla, "Attiva");
  REQUIRE(wait_until([&] { return w.sim.stats().value("faults_injected", 0) == 1; }));
  CHECK(w.app.stop(SIGKILL) == 128 + SIGKILL);
  CHECK(w.sim.texts(carla).empty());
  w.app.start();
  auto texts = await_texts(w.sim, carla, 1);
  CHECK(texts[0].find("DISATTIVA") != std::string::npos);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == 1);
}

TEST_CASE("statuses out of order and repeated leave a reply marked read") {
  world w;
  w.sim.configure({{"chaos", {{"reorder", 1.0}, {"duplicate", 1.0}, {"skip_delivered", 1.0}}}});
  w.sim.citizen_says(alice, "Attiva");
  await_texts(w.sim, alice, 1);
  CHECK(wait_until([&] { return count(w.app.db_file, "SELECT COUNT(*) FROM outbox WHERE state = 'read'") == 1; }));
}

TEST_CASE("an asynchronous failure status marks the reply failed with its code") {
  world w;
  call(w.sim.base, "PUT", "/sim/phones/" + bruno, json{{"async_failure", 131026}}.dump());
  w.sim.citizen_says(bruno, "Attiva");
  CHECK(wait_until([&] {
    return count(w.app.db_file, "SELECT COUNT(*) FROM outbox WHERE state = 'failed' AND error_code = 131026") == 1;
  }));
}

TEST_CASE("several messages in one body are each handled") {
  world w;
  json msgs = json::array({{{"from", alice}, {"text", "Attiva"}}, {{"from", bruno}, {"text", "Attiva"}},
                           {{"from", carla}, {"text", "Info"}}});
  auto r = call(w.sim.base, "POST", "/sim/citizens/messages", json{{"messages", msgs}, {"batch", true}}.dump());
  CHECK(json::parse(r.body)["webhook_status"] == json::array({200}));
  for (const auto& p : {alice, bruno, carla}) await_texts(w.sim, p, 1);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == 2);
}

TEST_CASE("bad input gets a clear 4xx, stores nothing and the server keeps serving") {
  world w(env_map{{"BANDITORE_MAX_BODY_BYTES", "65536"}});
  auto problem_status = [](const banditore::http::client_response& r) {
    CHECK(r.header("Content-Type") == "application/problem+json");
    auto j = json::parse(r.body);
    CHECK(j.contains("title"));
    CHECK(j.contains("detail"));
    return j["status"].get<int>();
  };
  SUBCASE("malformed JSON") { CHECK(problem_status(post_signed(w.app.base, "{\"object\": ")) == 400); }
  SUBCASE("wrong content type") {
    CHECK(problem_status(post_signed(w.app.base, "{\"object\":\"whatsapp_business_account\",\"entry\":[]}", "text/plain")) == 415);
  }
  SUBCASE("oversized body") {
    std::string big = "{\"object\":\"whatsapp_business_account\",\"entry\":[],\"pad\":\"" + std::string(70000, 'x') + "\"}";
    CHECK(problem_status(post_signed(w.app.base, big)) == 413);
  }
  SUBCASE("invalid UTF-8") {
    std::string body = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"1\",\"phone_number_id\":\"" + sim_phone_number_id + "\"},\"messages\":[{\"from\":\"" + alice + "\",\"id\":\"wamid.x\",\"timestamp\":\"1700000000\",\"type\":\"text\",\"text\":{\"body\":\"Attiva \xff\xfe\"}}]}}]}]}";
    CHECK(problem_status(post_signed(w.app.base, body)) == 400);
  }
  SUBCASE("a huge number of entries") {
    json entries = json::array();
    for (int i = 0; i < 2000; ++i) entries.push_back({{"id", "1"}, {"changes", json::array()}});
    CHECK(problem_status(post_signed(w.app.base, json{{"object", "whatsapp_business_account"}, {"entry", entries}}.dump())) == 400);
  }
  SUBCASE("not a WhatsApp notification") {
    CHECK(problem_status(post_signed(w.app.base, "{\"object\":\"page\",\"entry\":[]}")) == 400);
  }
  SUBCASE("an unknown path and a wrong method") {
    CHECK(problem_status(call(w.app.base, "GET", "/nowhere")) == 404);
    CHECK(problem_status(call(w.app.base, "DELETE", "/webhook/whatsapp")) == 405);
  }
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM inbound_messages") == 0);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM outbox") == 0);
  CHECK(call(w.app.base, "GET", "/healthz").status == 200);
}

TEST_CASE("a slow client cannot pin a connection and the connection cap answers 503") {
  // No reserved room, so the fourth connection meets the cap.
  world w(env_map{{"BANDITORE_HTTP_IDLE_TIMEOUT_MS", "300"}, {"BANDITORE_MAX_CONNECTIONS", "3"},
                  {"BANDITORE_RESERVED_CONNECTIONS", "0"}});
  namespace asio = boost::asio;
  asio::io_context io;
  auto port = static_cast<unsigned short>(std::stoi(w.app.base.substr(w.app.base.rfind(':') + 1)));
  asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  // A client that sends half a request head and then nothing.
  asio::ip::tcp::socket slow(io);
  slow.connect(ep);
  asio::write(slow, asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n")));
  char buf[256];
  boost::system::error_code ec;
  asio::read(slow, asio::buffer(buf), ec);  // returns when the server closes it
  CHECK((ec == asio::error::eof || ec == asio::error::connection_reset));
  // Three idle connections fill the cap; the fourth is told to come back.
  std::vector<asio::ip::tcp::socket> held;
  for (int i = 0; i < 3; ++i) {
    held.emplace_back(io);
    held.back().connect(ep);
  }
  REQUIRE(wait_until([&] { return read_file(w.app.log_file).size() > 0; }));
  asio::ip::tcp::socket extra(io);
  extra.connect(ep);
  std::string answer;
  std::size_t n = asio::read(extra, asio::buffer(buf), ec);
  answer.assign(buf, n);
  CHECK(answer.find("503") != std::string::npos);
  // Once the held connections time out the server serves again.
  CHECK(wait_until([&] { return call(w.app.base, "GET", "/healthz").status == 200; }));
}

TEST_CASE("no phone number or message id appears in the database file or the logs") {
  world w;
  std::vector<std::string> ids;
  for (const auto& p : {alice, bruno, carla}) {
    auto r = w.sim.citizen_says(p, "Attiva");
    ids.push_back(json::parse(r.body)["ids"][0].get<std::string>());
  }
  for (const auto& p : {alice, bruno, carla}) await_texts(w.sim, p, 1);
  auto r = w.sim.citizen_says(alice, "Disattiva");
  ids.push_back(json::parse(r.body)["ids"][0].get<std::string>());
  await_texts(w.sim, alice, 2);
  for (const auto& p : {alice, bruno, carla}) {
    const auto box = w.sim.inbox(p);
    for (const auto& m : box["messages"]) ids.push_back(m["id"].get<std::string>());
  }
  CHECK(w.app.stop(SIGTERM) == 0);

  std::string everything = read_file(w.app.log_file);
  for (const auto& f : fs::directory_iterator(w.dir.path))
    if (f.path().filename().string().rfind("banditore.db", 0) == 0) everything += read_file(f.path());
  for (const auto& p : {alice, bruno, carla}) {
    INFO("a test number in clear");
    CHECK(everything.find(p) == std::string::npos);
    CHECK(everything.find(p.substr(2)) == std::string::npos);  // without the country code
  }
  for (const auto& id : ids) {
    INFO("a WhatsApp message id (it encodes the number) in clear");
    CHECK(everything.find(id) == std::string::npos);
    CHECK(everything.find(id.substr(6, 20)) == std::string::npos);
  }
}
