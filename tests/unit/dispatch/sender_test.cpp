#include <banditore/dispatch/sender.hpp>

#include <banditore/domain/utf8.hpp>
#include <banditore/metrics/registry.hpp>

#include <banditore/store/media.hpp>

#include "../fake_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <functional>

using namespace banditore;
namespace asio = boost::asio;
using testing::fake_store;

namespace {

// The Cloud API as the sender sees it: every message is kept; the answer
// is accepted unless the test says otherwise.
struct fake_channel : dispatch::channel {
  std::vector<dispatch::outgoing_message> sent;
  std::function<dispatch::send_outcome(const dispatch::outgoing_message&, std::size_t nth)> answer;

  asio::awaitable<dispatch::send_outcome> send(const dispatch::outgoing_message& m) override {
    sent.push_back(m);
    dispatch::send_outcome out;
    if (answer) {
      out = answer(m, sent.size());
    } else {
      out.verdict = dispatch::send_verdict::accepted;
      out.message_id = "wamid." + std::to_string(sent.size());
    }
    co_return out;
  }
};

dispatch::sender_options quick_options() {
  dispatch::sender_options o;
  o.rate_per_second = 0;  // unpaced: the test does not wait for a rate
  o.idle_poll = std::chrono::milliseconds(5);
  o.backoff_base = std::chrono::milliseconds(1);
  o.backoff_max = std::chrono::milliseconds(1);
  o.slow_down_pause = std::chrono::milliseconds(1);
  o.pair_pause = std::chrono::milliseconds(1);
  return o;
}

store::outbox_item reply(std::string text) {
  store::outbox_item item;
  item.priority = store::reply_priority;
  item.phone_hash = "hash";
  item.recipient = "393331234567";
  item.text = std::move(text);
  return item;
}

store::outbox_item delivery(std::int64_t alert_id, bool as_template) {
  store::outbox_item item;
  item.priority = 10;
  item.phone_hash = "hash";
  item.recipient = "393331234567";
  item.alert_id = alert_id;
  item.subscriber_id = 7;
  item.title = "Guasto acquedotto";
  item.text = "Via Roma senz'acqua fino alle 18.";
  item.category = "water";
  item.severity = "severe";
  item.as_template = as_template;
  return item;
}

// Runs the sender until done() holds (or five seconds pass), then stops it.
bool run_sender(fake_store& store, fake_channel& channel, dispatch::sender_options options,
                const std::function<bool()>& done) {
  asio::io_context io;
  dispatch::sender sender(io, store, channel, options);
  sender.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool reached = false;
  while (!(reached = done()) && std::chrono::steady_clock::now() < deadline) io.run_for(std::chrono::milliseconds(2));
  bool stopped = false;
  auto stop = [&sender, &stopped]() -> asio::awaitable<void> {
    co_await sender.stop();
    stopped = true;
  };
  asio::co_spawn(io, stop(), asio::detached);
  while (!stopped && std::chrono::steady_clock::now() < deadline + std::chrono::seconds(5))
    io.run_for(std::chrono::milliseconds(2));
  CHECK(stopped);
  return reached;
}

}  // namespace

TEST_CASE("a queued reply leaves as text with its buttons and is recorded as sent under the provider's id") {
  fake_store store;
  fake_channel channel;
  auto item = reply("Iscrizione attivata.");
  item.buttons = {{"disattiva", "Disattiva"}};
  const auto id = store.queue(item);
  REQUIRE(run_sender(store, channel, quick_options(), [&] { return store.outbox[id].state == "sent"; }));
  REQUIRE(channel.sent.size() == 1);
  CHECK(channel.sent[0].to == "393331234567");
  CHECK(channel.sent[0].text == "Iscrizione attivata.");
  CHECK(channel.sent[0].buttons.size() == 1);
  CHECK_FALSE(channel.sent[0].templ.has_value());
  CHECK(channel.sent[0].callback_data == store::delivery_reference(id));
  CHECK(store.outbox[id].provider_message_id == "wamid.1");
}

TEST_CASE("a broadcast delivery outside the window goes as the configured template, parameters from the alert") {
  fake_store store;
  fake_channel channel;
  auto options = quick_options();
  options.template_name = "avviso_comune";
  options.template_params = {"title", "text"};
  const auto id = store.queue(delivery(3, true));
  REQUIRE(run_sender(store, channel, options, [&] { return store.outbox[id].state == "sent"; }));
  REQUIRE(channel.sent.size() == 1);
  REQUIRE(channel.sent[0].templ.has_value());
  CHECK(channel.sent[0].templ->name == "avviso_comune");
  REQUIRE(channel.sent[0].templ->body_parameters.size() == 2);
  CHECK(channel.sent[0].templ->body_parameters[0] == "Guasto acquedotto");
}

TEST_CASE("a broadcast refused as outside the window (131047) is queued again as the template and sent so") {
  fake_store store;
  fake_channel channel;
  channel.answer = [](const dispatch::outgoing_message& m, std::size_t) {
    dispatch::send_outcome out;
    out.verdict = m.templ ? dispatch::send_verdict::accepted : dispatch::send_verdict::use_template;
    out.error_code = m.templ ? 0 : 131047;
    out.message_id = m.templ ? "wamid.template" : "";
    return out;
  };
  auto options = quick_options();
  options.template_name = "avviso_comune";
  const auto id = store.queue(delivery(3, false));
  REQUIRE(run_sender(store, channel, options, [&] { return store.outbox[id].state == "sent"; }));
  REQUIRE(store.recorded.size() == 2);
  CHECK(store.recorded[0].kind == store::result_kind::requeue_as_template);
  CHECK(store.recorded[1].kind == store::result_kind::sent);
  CHECK(store.outbox[id].provider_message_id == "wamid.template");
}

TEST_CASE("without a template a 131047 fails the delivery instead of retrying it") {
  fake_store store;
  fake_channel channel;
  channel.answer = [](const dispatch::outgoing_message&, std::size_t) {
    dispatch::send_outcome out;
    out.verdict = dispatch::send_verdict::use_template;
    out.error_code = 131047;
    return out;
  };
  const auto id = store.queue(delivery(3, false));
  REQUIRE(run_sender(store, channel, quick_options(), [&] { return store.outbox[id].state == "failed"; }));
  CHECK(channel.sent.size() == 1);
  CHECK(store.outbox[id].error_code == 131047);
}

TEST_CASE("a slow-down answer retries the message later without counting it as an attempt") {
  fake_store store;
  fake_channel channel;
  channel.answer = [](const dispatch::outgoing_message&, std::size_t nth) {
    dispatch::send_outcome out;
    out.verdict = nth == 1 ? dispatch::send_verdict::slow_down : dispatch::send_verdict::accepted;
    out.error_code = nth == 1 ? 130429 : 0;
    out.message_id = "wamid." + std::to_string(nth);
    return out;
  };
  const auto id = store.queue(reply("Ciao"));
  REQUIRE(run_sender(store, channel, quick_options(), [&] { return store.outbox[id].state == "sent"; }));
  REQUIRE(store.recorded.size() == 2);
  CHECK(store.recorded[0].kind == store::result_kind::retry);
  CHECK_FALSE(store.recorded[0].count_attempt);
  CHECK(store.recorded[0].error_code == 130429);
}

TEST_CASE("a message that keeps failing transiently is given up after the last attempt") {
  fake_store store;
  fake_channel channel;
  channel.answer = [](const dispatch::outgoing_message&, std::size_t) {
    dispatch::send_outcome out;
    out.verdict = dispatch::send_verdict::retry_later;
    return out;
  };
  auto options = quick_options();
  options.max_attempts = 3;
  const auto id = store.queue(reply("Ciao"));
  REQUIRE(run_sender(store, channel, options, [&] { return store.outbox[id].state == "failed"; }));
  CHECK(channel.sent.size() == 3);
  CHECK(store.recorded.back().error_title == "gave up after 3 attempts");
}

TEST_CASE("a database failure in a round is survived: the next round sends what is queued") {
  fake_store store;
  fake_channel channel;
  store.fail_next_round = "database is locked";
  const auto id = store.queue(reply("Ciao"));
  REQUIRE(run_sender(store, channel, quick_options(), [&] { return store.outbox[id].state == "sent"; }));
  CHECK(store.rounds >= 2);
  CHECK(channel.sent.size() == 1);
}

TEST_CASE("replies go before broadcast deliveries queued earlier") {
  fake_store store;
  fake_channel channel;
  auto options = quick_options();
  for (int i = 0; i < 3; ++i) store.queue(delivery(3, false));
  const auto answer = store.queue(reply("Iscrizione attivata."));
  REQUIRE(run_sender(store, channel, options, [&] { return channel.sent.size() == 4; }));
  CHECK(channel.sent[0].callback_data == store::delivery_reference(answer));
}

TEST_CASE("from idle the first round leases a few, never more than the slots in flight") {
  fake_store store;
  fake_channel channel;
  auto options = quick_options();
  options.max_in_flight = 4;
  for (int i = 0; i < 20; ++i) store.queue(delivery(3, false));
  REQUIRE(run_sender(store, channel, options, [&] { return channel.sent.size() == 20; }));
  REQUIRE_FALSE(store.lease_limits.empty());
  for (auto limit : store.lease_limits) CHECK(limit <= 4);
}

TEST_CASE("an alert for one town is signed with that town, others with the deployment's") {
  dispatch::sender_options o;
  o.town = "Unione della Bassa Romagna";
  dispatch::detail::delivery_view alert;
  alert.title = "Acqua sospesa";
  alert.text = "Via Roma, dalle 9 alle 13.";
  alert.severity = "moderate";
  alert.category = "water";
  auto everyone = dispatch::delivery_message(o, "393331111111", alert, false);
  CHECK(everyone.text.find("Unione della Bassa Romagna") != std::string::npos);
  alert.town = "Comune di Lugo";
  auto lugo = dispatch::delivery_message(o, "393331111111", alert, false);
  CHECK(lugo.text.find("Comune di Lugo") != std::string::npos);
  CHECK(lugo.text.find("Bassa Romagna") == std::string::npos);
  // An alert at WhatsApp's limit keeps the name it was checked with.
  alert.text = std::string(4096 - 200, 'x');
  alert.town = "Comune di " + std::string(150, 'L');
  auto long_one = dispatch::delivery_message(o, "393331111111", alert, false);
  CHECK(long_one.text.find("Bassa Romagna") != std::string::npos);
  CHECK(domain::utf8::count_code_points(long_one.text).value() <= domain::max_text_body);
}

TEST_CASE("the template's town parameter is the alert's own town, or the deployment's when it has none") {
  dispatch::sender_options o;
  o.town = "Unione della Bassa Romagna";
  o.template_name = "avviso_comune";
  o.template_language = "it";
  o.template_params = {"town", "title"};
  dispatch::detail::delivery_view alert;
  alert.title = "Acqua sospesa";
  alert.text = "Via Roma, dalle 9 alle 13.";
  alert.severity = "moderate";
  alert.category = "water";
  alert.town = "Comune di Cotignola";
  auto m = dispatch::delivery_message(o, "393331111111", alert, true);
  REQUIRE(m.templ);
  REQUIRE(m.templ->body_parameters.size() == 2);
  CHECK(m.templ->body_parameters[0].find("Cotignola") != std::string::npos);
  CHECK(m.templ->body_parameters[0].find("Bassa Romagna") == std::string::npos);
  alert.town.clear();
  m = dispatch::delivery_message(o, "393331111111", alert, true);
  REQUIRE(m.templ);
  CHECK(m.templ->body_parameters[0].find("Bassa Romagna") != std::string::npos);
}

TEST_CASE("outside the window an alert with an attachment goes as the template with a media header of its kind, if there is one") {
  dispatch::sender_options o;
  o.template_name = "avviso";
  o.template_image_name = "avviso_immagine";
  o.template_params = {"title"};
  dispatch::detail::delivery_view alert;
  alert.title = "Via Roma chiusa";
  alert.severity = "moderate";
  alert.category = "roads";
  auto image = dispatch::delivery_message(o, "393331111111", alert, true, "image/png");
  REQUIRE(image.templ);
  CHECK(image.templ->name == "avviso_immagine");
  REQUIRE(image.templ->header);
  CHECK(image.templ->header->type == "image");
  CHECK(image.templ->header->provider_id.empty());  // filled once uploaded
  // No template with a DOCUMENT header: a PDF's alert goes as the plain one, without it.
  auto document = dispatch::delivery_message(o, "393331111111", alert, true, "application/pdf");
  REQUIRE(document.templ);
  CHECK(document.templ->name == "avviso");
  CHECK_FALSE(document.templ->header);
  auto plain = dispatch::delivery_message(o, "393331111111", alert, true);
  CHECK(plain.templ->name == "avviso");
  CHECK_FALSE(plain.templ->header);
  CHECK(dispatch::template_for_media(o, "image/jpeg") == "avviso_immagine");
  CHECK(dispatch::template_for_media(o, "application/pdf") == "avviso");
}

namespace {

// The attachments the sender reads for an upload, by id.
struct fake_media : store::media {
  std::map<std::int64_t, std::string> files;
  asio::awaitable<store::stored_media> store_media(store::new_media, store::actor, std::int64_t) override {
    co_return store::stored_media{};
  }
  asio::awaitable<std::optional<store::media_record>> media_info(std::int64_t) override { co_return std::nullopt; }
  asio::awaitable<store::media_users> users_of_media(std::int64_t) override { co_return store::media_users{}; }
  asio::awaitable<std::optional<std::string>> media_content(std::int64_t id) override {
    auto it = files.find(id);
    if (it == files.end()) co_return std::nullopt;
    co_return it->second;
  }
};

// A channel that takes uploads too, or refuses them with the verdict given.
struct uploading_channel : fake_channel {
  std::vector<std::string> uploads;  // mime types, in order
  std::optional<dispatch::send_verdict> refuse;
  asio::awaitable<dispatch::upload_outcome> upload_media(std::string mime_type, std::string, std::string) override {
    uploads.push_back(mime_type);
    dispatch::upload_outcome out;
    if (refuse) out.refusal.verdict = *refuse;
    else out.provider_id = "media." + std::to_string(uploads.size());
    co_return out;
  }
};

store::outbox_item delivery_with_pdf(std::int64_t alert_id, bool as_template) {
  auto item = delivery(alert_id, as_template);
  item.media_id = 9;
  item.media_mime_type = "application/pdf";
  item.media_filename = "ordinanza.pdf";
  return item;
}

}  // namespace

TEST_CASE("an alert's attachment is uploaded once and every delivery inside the window carries it as a document") {
  fake_store store;
  uploading_channel channel;
  fake_media media;
  media.files[9] = "%PDF-1.7 ... %%EOF";
  auto options = quick_options();
  options.media = &media;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(store.queue(delivery_with_pdf(3, false)));
  auto all_sent = [&] {
    return std::all_of(ids.begin(), ids.end(), [&](auto id) { return store.outbox[id].state == "sent"; });
  };
  REQUIRE(run_sender(store, channel, options, all_sent));
  CHECK(channel.uploads == std::vector<std::string>{"application/pdf"});
  // Deliveries leased while the upload was in flight waited and left after it.
  REQUIRE(channel.sent.size() == 5);
  for (const auto& m : channel.sent) {
    REQUIRE(m.media.has_value());
    CHECK(m.media->type == "document");
    CHECK(m.media->provider_id == "media.1");
    CHECK(m.media->filename == "ordinanza.pdf");
  }
}

TEST_CASE("the template carries no attachment, and a file refused for good leaves the alert as text") {
  fake_store store;
  uploading_channel channel;
  fake_media media;
  media.files[9] = "%PDF-1.7 ... %%EOF";
  auto options = quick_options();
  options.media = &media;
  options.template_name = "avviso_comune";
  const auto outside = store.queue(delivery_with_pdf(3, true));
  REQUIRE(run_sender(store, channel, options, [&] { return store.outbox[outside].state == "sent"; }));
  REQUIRE(channel.sent.size() == 1);
  CHECK(channel.sent[0].templ.has_value());
  CHECK_FALSE(channel.sent[0].media.has_value());
  CHECK(channel.uploads.empty());

  channel.refuse = dispatch::send_verdict::permanent;
  const auto inside = store.queue(delivery_with_pdf(4, false));
  REQUIRE(run_sender(store, channel, options, [&] { return store.outbox[inside].state == "sent"; }));
  REQUIRE(channel.sent.size() == 2);
  CHECK_FALSE(channel.sent[1].media.has_value());
  CHECK(channel.sent[1].text.find("Guasto acquedotto") != std::string::npos);
}

namespace {

// A channel that notes when each send arrived.
struct timed_channel : fake_channel {
  std::vector<std::chrono::steady_clock::time_point> at;
  asio::awaitable<dispatch::send_outcome> send(const dispatch::outgoing_message& m) override {
    at.push_back(std::chrono::steady_clock::now());
    co_return co_await fake_channel::send(m);
  }
};

}  // namespace

TEST_CASE("with two numbers each sender leases its own number's rows and sends them at its own rate, both at once") {
  fake_store store;
  constexpr int per_number = 8;
  for (int i = 0; i < per_number; ++i) {
    auto a = reply("per il numero A");
    a.recipient = "39333100000" + std::to_string(i);
    a.number_id = "lugo";
    store.queue(a);
    auto b = reply("per il numero B");
    b.recipient = "39333200000" + std::to_string(i);
    b.number_id = "bagnacavallo";
    store.queue(b);
  }
  timed_channel lugo_channel, bagna_channel;
  auto lugo = quick_options();
  lugo.number_id = "lugo";
  lugo.rate_per_second = 40;
  auto bagna = quick_options();
  bagna.number_id = "bagnacavallo";
  bagna.rate_per_second = 16;

  asio::io_context io;
  dispatch::sender lugo_sender(io, store, lugo_channel, lugo);
  dispatch::sender bagna_sender(io, store, bagna_channel, bagna);
  lugo_sender.start();
  bagna_sender.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto done = [&] { return lugo_channel.sent.size() == per_number && bagna_channel.sent.size() == per_number; };
  while (!done() && std::chrono::steady_clock::now() < deadline) io.run_for(std::chrono::milliseconds(2));
  int stopped = 0;
  auto stop = [&stopped](dispatch::sender& s) -> asio::awaitable<void> {
    co_await s.stop();
    ++stopped;
  };
  asio::co_spawn(io, stop(lugo_sender), asio::detached);
  asio::co_spawn(io, stop(bagna_sender), asio::detached);
  while (stopped < 2 && std::chrono::steady_clock::now() < deadline + std::chrono::seconds(5))
    io.run_for(std::chrono::milliseconds(2));
  REQUIRE(done());

  // Each number's channel carried its own rows only.
  for (const auto& m : lugo_channel.sent) CHECK(m.text == "per il numero A");
  for (const auto& m : bagna_channel.sent) CHECK(m.text == "per il numero B");
  // Each at its own pace: n sends at r a second take at least (n - 1) / r
  // seconds (one interval of slack for a start from idle); a slow machine
  // only spreads them more.
  auto span = [](const timed_channel& c) {
    return std::chrono::duration<double>(c.at.back() - c.at.front()).count();
  };
  CHECK(span(lugo_channel) >= (per_number - 2) / 40.0);
  CHECK(span(bagna_channel) >= (per_number - 2) / 16.0);
  // In parallel: the faster number's sends began before the slower's ended.
  CHECK(lugo_channel.at.front() < bagna_channel.at.back());
  CHECK(bagna_channel.at.front() < lugo_channel.at.back());
}

TEST_CASE("a number's sender counts its sends and errors under its own number label, and leases in its portfolio") {
  // The registry is the process's: a number no other test sends on.
  fake_store store;
  fake_channel channel;
  channel.answer = [](const dispatch::outgoing_message&, std::size_t nth) {
    dispatch::send_outcome out;
    if (nth == 1) {
      out.verdict = dispatch::send_verdict::accepted;
      out.message_id = "wamid.1";
    } else {
      out.verdict = dispatch::send_verdict::permanent;
      out.error_code = 131026;  // message undeliverable
    }
    return out;
  };
  auto first = reply("uno");
  first.number_id = "fusignano";
  auto second = reply("due");
  second.number_id = "fusignano";
  second.phone_hash = "other";
  const auto a = store.queue(first);
  const auto b = store.queue(second);
  auto options = quick_options();
  options.number_id = "fusignano";
  options.portfolio = "900";
  REQUIRE(run_sender(store, channel, options,
                     [&] { return store.outbox[a].state == "sent" && store.outbox[b].state == "failed"; }));
  REQUIRE_FALSE(store.policies.empty());
  CHECK(store.policies.front().number_id == "fusignano");
  CHECK(store.policies.front().portfolio == "900");
  const auto text = metrics::default_registry().render();
  CHECK(text.find("banditore_sends_total{kind=\"reply\",verdict=\"accepted\",number=\"fusignano\"}") !=
        std::string::npos);
  CHECK(text.find("banditore_provider_errors_total{code=\"131026\",number=\"fusignano\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("banditore_sender_rounds_total{number=\"fusignano\"}") != std::string::npos);
  CHECK(text.find("banditore_send_latency_seconds_count{number=\"fusignano\"} 2\n") != std::string::npos);
  CHECK(text.find("banditore_send_rate{number=\"fusignano\"}") != std::string::npos);
}
