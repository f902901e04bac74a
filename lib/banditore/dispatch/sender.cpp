#include <banditore/dispatch/sender.hpp>

#include <banditore/dispatch/background.hpp>
#include <banditore/dispatch/rate_limiter.hpp>
#include <banditore/domain/utf8.hpp>
#include <banditore/log/log.hpp>
#include <banditore/metrics/registry.hpp>
#include <banditore/store/media.hpp>
#include <banditore/store/outbox.hpp>
#include <banditore/crypto/data_keys.hpp>
#include <banditore/domain/alert.hpp>
#include <banditore/domain/clock.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <random>

namespace banditore::dispatch {

namespace asio = boost::asio;
using std::chrono::milliseconds;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

using domain::now_ms;

milliseconds backoff_delay(int attempt, milliseconds base, milliseconds max, double unit_random) {
  double cap = static_cast<double>(base.count()) * std::pow(2.0, std::max(0, attempt - 1));
  cap = std::min(cap, static_cast<double>(max.count()));
  return milliseconds(static_cast<std::int64_t>(cap * std::clamp(unit_random, 0.0, 1.0)));
}

const std::string& template_for_media(const sender_options& o, std::string_view media_mime_type) {
  if (media_mime_type.empty()) return o.template_name;
  const auto& with_header = media_mime_type == "application/pdf" ? o.template_document_name : o.template_image_name;
  return with_header.empty() ? o.template_name : with_header;
}

outgoing_message delivery_message(const sender_options& o, std::string to,
                                  const detail::delivery_view& a, bool as_template, std::string_view media_mime_type) {
  outgoing_message m;
  m.to = std::move(to);
  domain::alert_content content;
  content.town = a.town.empty() ? o.town : a.town;
  content.level = domain::parse_severity(a.severity).value_or(domain::severity::moderate);
  content.title = a.title;
  content.text = a.text;
  content.link = a.link;
  content.issued_at_ms = a.issued_at_ms;
  if (as_template && !o.template_name.empty()) {
    const auto& name = template_for_media(o, media_mime_type);
    m.templ = template_content{name, o.template_language,
                               domain::template_parameters(o.template_params, content, a.category, o.labels),
                               std::nullopt};
    if (name != o.template_name)
      m.templ->header = media_attachment{media_mime_type == "application/pdf" ? "document" : "image", {}, {}};
  } else {
    m.text = domain::alert_free_text(content, o.town, o.labels);
  }
  return m;
}

struct sender::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, store::outbox_rounds& out, channel& ch, sender_options o)
      : io_(io), outbox_(out), channel_(ch), options_(o),
        limiter_(o.rate_per_second > 0 ? o.rate_per_second : 1, o.burst), task_(io, "sender"), pace_(io),
        random_(std::random_device{}()) {}

  void wake() { task_.wake(); }

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    for (;;) {
      auto records = std::exchange(pending_, {});
      const auto settled = records.size();
      const bool leasing = !task_.stopping();
      // Lease only what the pace lets out in about 100 ms, so a more urgent
      // row queued meanwhile is picked up next instead of waiting behind a
      // long leased batch.
      const std::size_t pace_batch = options_.rate_per_second > 0
          ? std::max<std::size_t>(1, static_cast<std::size_t>(options_.rate_per_second / 10)) : options_.lease_batch;
      const std::size_t free_slots = options_.max_in_flight - std::min(options_.max_in_flight, unsettled_);
      // From idle, a few first: their sends go out while the next lease
      // fills the rest of the slots, rather than behind a full batch of
      // connection set-ups.
      const std::size_t first_batch = unsettled_ == 0 ? std::size_t{8} : pace_batch;
      const std::size_t room = leasing ? std::min({free_slots, pace_batch, first_batch}) : 0;
      const auto now = now_ms();
      store::delivery_policy policy;
      policy.template_available = !options_.template_name.empty();
      policy.always_template = options_.always_template;
      policy.tier_limit = options_.tier_limit;
      policy.number_id = options_.number_id;
      policy.adopts_unrouted = options_.adopts_unrouted;
      policy.portfolio = options_.portfolio;
      const std::size_t lease_limit = room > 0 ? std::min(room, options_.lease_batch) : 0;
      const std::int64_t lease_ms = options_.lease_duration.count();
      store::sender_round b;
      std::string failure;
      try {
        b = co_await outbox_.round(std::move(records), lease_limit, lease_ms, policy, now);
      } catch (const std::exception& e) {
        failure = e.what();
      }
      if (!failure.empty()) {
        // The outcomes are lost from memory but their rows stay 'sending'
        // and are re-queued at the next start; keep serving meanwhile.
        log::error("sender.database_failed", {{"error", failure}});
        unsettled_ -= std::min(unsettled_, settled);
        co_await wait_signal(options_.idle_poll);
        continue;
      }
      unsettled_ -= settled;
      rounds_.inc();
      // Deliveries leased or settled: whoever follows an alert looks again.
      if ((settled > 0 || !b.items.empty()) && options_.progressed) options_.progressed();
      if (task_.stopping() && unsettled_ == 0 && pending_.empty()) break;

      unsettled_ += b.items.size();
      // Unpaced, the batch's sends start once this loop is waiting on the
      // next database round: started here, each would write its request
      // (a syscall) before that round is even handed over, leaving the
      // database thread idle for the whole batch.
      std::vector<store::outbox_item> unpaced;
      for (auto& item : b.items) {
        if (task_.stopping()) {
          // Leased but not sent: back to the queue untouched.
          auto back = store::record_for(item);
          back.kind = store::result_kind::retry;
          back.not_before = now_ms();
          back.count_attempt = false;
          pending_.push_back(std::move(back));
          continue;
        }
        if (options_.rate_per_second <= 0) {
          unpaced.push_back(std::move(item));
          continue;
        }
        // A slow-down (429) that arrives while this send waits for its slot
        // moves the slot past the pause: reserve again instead of sending
        // inside it.
        for (;;) {
          const auto pauses = pauses_;
          auto at = limiter_.reserve(std::chrono::steady_clock::now());
          if (at > std::chrono::steady_clock::now()) {
            pace_.expires_at(at);
            co_await pace_.async_wait(use_nothrow);
          }
          if (pauses_ == pauses || task_.stopping()) break;
        }
        auto send = send_one(std::move(item));
        asio::co_spawn(io_, std::move(send), asio::detached);
      }
      if (!unpaced.empty())
        asio::post(io_, [this, self, unpaced = std::move(unpaced)]() mutable {
          for (auto& item : unpaced) asio::co_spawn(io_, send_one(std::move(item)), asio::detached);
        });
      if (!b.items.empty() || !pending_.empty()) {
        co_await gather();
        continue;
      }

      auto wait = options_.idle_poll;
      if (b.next_due && unsettled_ == 0) {
        auto until = milliseconds(std::max<std::int64_t>(0, *b.next_due - now_ms()));
        wait = std::min(wait, until);
        if (wait.count() == 0) wait = milliseconds(1);
      }
      co_await wait_signal(wait);
    }
  }

  // A slot is free again only once its outcome is committed, and a round
  // is two hand-overs between threads and a commit. Back to back, each round
  // carried the few outcomes that came in during the last one, so the slots
  // came back at the pace of the rounds (bench/fanout, 128 in flight: 5,500
  // against 24,000 messages/s). With many sends in flight the next round now
  // waits until a quarter of them have settled, or options_.gather_wait.
  // With few in flight (replies, a paced send) it starts at once.
  std::size_t gather_target() const { return unsettled_ / 4; }

  asio::awaitable<void> gather() {
    if (pending_.size() >= gather_target() || task_.stopping()) co_return;
    gathering_ = true;
    co_await wait_signal(options_.gather_wait);
    gathering_ = false;
  }

  asio::awaitable<void> wait_signal(milliseconds wait) {
    co_await task_.wait_for(wait);
  }

  // The current send rate: accepted sends in the last whole second.
  void note_accepted() {
    const auto second = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::steady_clock::now().time_since_epoch()).count();
    if (second != rate_second_) {
      rate_.set(second == rate_second_ + 1 ? static_cast<double>(rate_count_) : 0.0);
      rate_second_ = second;
      rate_count_ = 0;
    }
    ++rate_count_;
  }

  store::send_record judge(const store::outbox_item& item, const send_outcome& out) {
    auto r = store::record_for(item);
    r.error_code = out.error_code;
    r.error_title = out.error_title.substr(0, 200);
    const auto now = now_ms();
    auto retry_in = [&](milliseconds d, bool count) {
      r.kind = store::result_kind::retry;
      r.not_before = now + d.count();
      r.count_attempt = count;
    };
    switch (out.verdict) {
      case send_verdict::accepted:
        note_accepted();
        r.kind = store::result_kind::sent;
        r.provider_message_id = out.message_id;
        stats_.accepted++;
        stats_.configuration_error = false;
        return r;
      case send_verdict::retry_later: {
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        retry_in(std::max(milliseconds(100), backoff_delay(item.attempts, options_.backoff_base, options_.backoff_max, unit(random_))), true);
        break;
      }
      case send_verdict::slow_down: {
        auto pause = out.retry_after.count() > 0 ? out.retry_after : options_.slow_down_pause;
        limiter_.pause_until(std::chrono::steady_clock::now() + pause);
        ++pauses_;
        pace_.cancel();
        stats_.throttled++;
        retry_in(pause, false);
        break;
      }
      case send_verdict::retry_recipient_later:
        retry_in(options_.pair_pause, true);
        break;
      case send_verdict::configuration:
        stats_.configuration_error = true;
        retry_in(options_.configuration_pause, false);
        break;
      case send_verdict::use_template:
        // 131047: outside the 24-hour window. A broadcast goes again as the
        // template, when there is one and it was not already the template.
        if (item.alert_id != 0 && !item.as_template && !options_.template_name.empty()) {
          r.kind = store::result_kind::requeue_as_template;
          stats_.retried++;
          return r;
        }
        r.kind = store::result_kind::failed;
        stats_.failed++;
        return r;
      case send_verdict::opt_out:
        r.kind = item.alert_id != 0 ? store::result_kind::opt_out : store::result_kind::failed;
        stats_.failed++;
        return r;
      case send_verdict::permanent:
        r.kind = store::result_kind::failed;
        stats_.failed++;
        return r;
    }
    if (r.count_attempt && item.attempts >= options_.max_attempts) {
      r.kind = store::result_kind::failed;
      if (r.error_title.empty()) r.error_title = "gave up after " + std::to_string(item.attempts) + " attempts";
      stats_.failed++;
    } else {
      stats_.retried++;
    }
    return r;
  }

  asio::awaitable<void> send_one(store::outbox_item item) {
    auto self = shared_from_this();
    send_outcome out;
    std::string failure;
    const auto started = std::chrono::steady_clock::now();
    try {
      outgoing_message msg;
      if (item.alert_id != 0) {
        detail::delivery_view view{item.title,    item.text,         item.category, item.severity,
                                   item.link,     item.issued_at_ms, item.town};
        const std::string_view mime = item.media_id != 0 && options_.media ? item.media_mime_type : std::string_view{};
        msg = delivery_message(options_, std::move(item.recipient), view, item.as_template, mime);
      } else {
        msg.to = std::move(item.recipient);
        msg.text = std::move(item.text);
        msg.buttons = std::move(item.buttons);
        msg.list = std::move(item.list);
      }
      msg.callback_data = store::delivery_reference(item.id);
      bool send_it = true;
      // The attachment goes as the caption's image or document inside the
      // window, and outside it only in a template approved with a media
      // header of its kind (templ->header); a plain template takes none.
      const bool templ_header = msg.templ && msg.templ->header;
      if (item.alert_id != 0 && item.media_id != 0 && options_.media && (!item.as_template || templ_header)) {
        auto uploaded = co_await upload_for(item);
        if (!uploaded.provider_id.empty()) {
          const std::string type(item.media_mime_type == "application/pdf" ? "document" : "image");
          auto attachment = media_attachment{type, std::move(uploaded.provider_id), item.media_filename};
          if (templ_header) msg.templ->header = std::move(attachment);
          else msg.media = std::move(attachment);
        } else if (uploaded.refusal.verdict != send_verdict::permanent) {
          out = uploaded.refusal;  // retried as a failed send would be
          send_it = false;
        } else if (templ_header) {
          // Refused for good: a template with a media header cannot go
          // without it, so the plain template goes instead.
          msg.templ->name = options_.template_name;
          msg.templ->header.reset();
        }
        // Refused for good: the alert still goes, as text without it.
      }
      if (send_it) out = co_await channel_.send(msg);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (!failure.empty()) {
      out.verdict = send_verdict::retry_later;
      out.error_title = failure;
    }
    latency_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    sends_counter(item.alert_id != 0, out.verdict).inc();
    if (out.verdict != send_verdict::accepted)
      metrics::default_registry()
          .counter_for("banditore_provider_errors_total",
                       "Provider errors by WhatsApp error code (0: none given) and business number",
                       {{"code", std::to_string(out.error_code)}, {"number", number_label_}})
          .inc();
    auto record = judge(item, out);
    if (out.verdict == send_verdict::accepted) {
      if (log::enabled(log::level::debug))
        log::debug("outbox.sent",
                   {{"outbox_id", item.id}, {"phone", crypto::phone_tag(item.phone_hash)}, {"attempt", item.attempts}});
    } else {
      auto tag = crypto::phone_tag(item.phone_hash);
      log::write(out.verdict == send_verdict::configuration ? log::level::error : log::level::warn,
                 "outbox.send_failed",
                 {{"outbox_id", item.id}, {"phone", tag}, {"attempt", item.attempts},
                  {"verdict", to_string(out.verdict)}, {"error_code", out.error_code},
                  {"http_status", out.http_status}, {"error", out.error_title},
                  {"outcome", record.kind == store::result_kind::failed ? "failed" : "retry"}});
    }
    pending_.push_back(std::move(record));
    if (!gathering_ || pending_.size() >= gather_target()) task_.wake();
  }

  // The provider's id of an alert's attachment: uploaded once (per
  // process), by the first delivery that needs it. Deliveries that come
  // while the upload is in flight are retried a moment later.
  asio::awaitable<upload_outcome> upload_for(const store::outbox_item& item) {
    upload_outcome out;
    if (auto known = uploads_.find(item.media_id); known != uploads_.end()) {
      if (!known->second.empty()) {
        out.provider_id = known->second;
        co_return out;
      }
      out.refusal.verdict = send_verdict::retry_later;
      out.refusal.error_title = "the alert's attachment is being uploaded";
      co_return out;
    }
    uploads_[item.media_id] = std::string();
    auto bytes = co_await options_.media->media_content(item.media_id);
    if (!bytes) {
      uploads_.erase(item.media_id);
      out.refusal.verdict = send_verdict::permanent;
      out.refusal.error_title = "the alert's attachment is not stored";
      co_return out;
    }
    out = co_await channel_.upload_media(item.media_mime_type, item.media_filename, std::move(*bytes));
    if (out.provider_id.empty()) {
      uploads_.erase(item.media_id);
      log::warn("outbox.upload_failed", {{"alert_id", item.alert_id}, {"media_id", item.media_id},
                                         {"verdict", to_string(out.refusal.verdict)},
                                         {"error_code", out.refusal.error_code}, {"error", out.refusal.error_title}});
    } else {
      uploads_[item.media_id] = out.provider_id;
      log::info("outbox.media_uploaded", {{"alert_id", item.alert_id}, {"media_id", item.media_id}});
    }
    co_return out;
  }

  // Looked up once: at thousands of sends a second, finding a series by its
  // labels for every send shows in the profile.
  metrics::counter& sends_counter(bool delivery, send_verdict verdict) {
    auto& slot = sends_[delivery ? 1 : 0][static_cast<std::size_t>(verdict)];
    if (!slot)
      slot = &metrics::default_registry().counter_for(
          "banditore_sends_total", "Send attempts by outcome and business number",
          {{"kind", delivery ? "delivery" : "reply"}, {"verdict", std::string(to_string(verdict))},
           {"number", number_label_}});
    return *slot;
  }

  asio::io_context& io_;
  std::map<std::int64_t, std::string> uploads_;  // media id -> provider id; empty while uploading
  store::outbox_rounds& outbox_;
  channel& channel_;
  sender_options options_;
  rate_limiter limiter_;
  background_task task_;  // the loop: started once, woken, stopped
  asio::steady_timer pace_;
  std::mt19937_64 random_;
  std::vector<store::send_record> pending_;
  std::int64_t rate_second_ = 0;
  std::int64_t rate_count_ = 0;
  std::size_t unsettled_ = 0;  // sent or sending, outcome not yet committed
  std::uint64_t pauses_ = 0;   // slow-downs so far: a waiting send re-reserves after one
  bool gathering_ = false;  // the loop waits for more outcomes before its next round
  sender_stats stats_;
  // Each number's series apart: its pace, errors and rounds are its own.
  // The label is the deployment's name of the number ("default" with one),
  // never the number itself.
  std::string number_label_ = options_.number_id.empty() ? std::string("default") : options_.number_id;
  metrics::gauge& rate_ = metrics::default_registry().gauge_for(
      "banditore_send_rate", "Messages accepted by the provider in the last second, by business number",
      {{"number", number_label_}});
  metrics::histogram& latency_ = metrics::default_registry().histogram_for(
      "banditore_send_latency_seconds", "Cloud API send call duration, by business number",
      {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}, {{"number", number_label_}});
  std::array<std::array<metrics::counter*, send_verdict_count>, 2> sends_{};
  metrics::counter& rounds_ = metrics::default_registry().counter_for(
      "banditore_sender_rounds_total",
      "Database rounds of the sender, by business number: each records the outcomes in and leases for the free "
      "slots",
      {{"number", number_label_}});
};

sender::sender(asio::io_context& io, store::outbox_rounds& outbox, channel& ch, sender_options options)
    : impl_(std::make_shared<impl>(io, outbox, ch, options)) {}

sender::~sender() = default;

void sender::start() {
  auto* impl = impl_.get();
  impl->task_.start([impl] { return impl->run(); }, impl_);
}

void sender::wake() { impl_->wake(); }

asio::awaitable<void> sender::stop() {
  auto self = impl_;
  if (!self->task_.started()) co_return;
  self->pace_.cancel();
  co_await self->task_.stop();
}

sender_stats sender::stats() const {
  auto s = impl_->stats_;
  s.running = impl_->task_.running();
  s.in_flight = impl_->unsettled_;
  return s;
}

}  // namespace banditore::dispatch
