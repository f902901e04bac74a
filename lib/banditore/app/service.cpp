#include <banditore/app/service.hpp>

#include <banditore/app/alerts_api.hpp>
#include <banditore/app/audience_api.hpp>
#include <banditore/app/auth_throttle.hpp>
#include <banditore/app/metrics_api.hpp>
#include <banditore/app/public_pages.hpp>
#include <banditore/app/console.hpp>
#include <banditore/app/console_account.hpp>
#include <banditore/app/console_admin.hpp>
#include <banditore/app/live_settings.hpp>
#include <banditore/app/settings_api.hpp>
#include <banditore/app/console_alerts.hpp>
#include <banditore/app/console_compose.hpp>
#include <banditore/app/console_drafts.hpp>
#include <banditore/app/console_models.hpp>
#include <banditore/app/console_session.hpp>
#include <banditore/app/login_throttle.hpp>
#include <banditore/app/staff_login.hpp>
#include <banditore/config/console_settings.hpp>
#include <boost/asio/thread_pool.hpp>
#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/media_rules.hpp>
#include <banditore/config/alert_form.hpp>
#include <banditore/config/ops_settings.hpp>
#include <banditore/config/template_pricing.hpp>
#include <banditore/http/json_text.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <banditore/app/cap_api.hpp>
#include <banditore/app/cap_feed.hpp>
#include <banditore/app/news_feed.hpp>
#include <banditore/config/cap_settings.hpp>
#include <banditore/config/config_error.hpp>
#include <banditore/app/webhook.hpp>
#include <banditore/dispatch/planner.hpp>
#include <banditore/dispatch/scheduler.hpp>
#include <banditore/app/change_notifier.hpp>
#include <banditore/dispatch/sender.hpp>
#include <banditore/domain/alert.hpp>
#include <banditore/domain/quiet_hours.hpp>
#include <banditore/domain/replies.hpp>
#include <banditore/http/server.hpp>
#include <banditore/log/log.hpp>
#include <banditore/metrics/registry.hpp>
#include <banditore/domain/clock.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/engine.hpp>
#include <banditore/whatsapp/cloud_channel.hpp>
#include <banditore/whatsapp/credentials_check.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>

namespace banditore::app {

namespace asio = boost::asio;

namespace {

// Every problem with the replies file is the configuration's: exit code 3,
// naming the variable, as for any other setting.
domain::reply_texts load_replies(const config::settings& s) {
  const domain::reply_contacts contacts{s.office_contact, s.privacy_url};
  auto texts = s.language == "en" ? domain::english_replies(s.town, contacts)
                                  : domain::italian_replies(s.town, contacts);
  if (s.replies_file.empty()) return texts;
  const std::string variable = "BANDITORE_REPLIES_FILE";
  std::ifstream in(s.replies_file);
  if (!in) throw config::config_error(variable, "cannot read " + s.replies_file);
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    throw config::config_error(variable, s.replies_file + " is not valid JSON: " + std::string(e.what()));
  }
  try {
    return domain::replies_from_json(j, texts);
  } catch (const std::exception& e) {
    throw config::config_error(variable, s.replies_file + ": " + std::string(e.what()));
  }
}

// The settings read apart from config::from_environment, checked before
// anything is opened, each error naming its variable.
void check_own_settings(const config::settings& s, http::server_options& server_options) {
  try {
    log::set_level(log::parse_level(s.log_level));
  } catch (const std::invalid_argument& e) {
    throw config::config_error("BANDITORE_LOG_LEVEL", e.what());
  }
  try {
    http::parse_listen_address(s.listen, server_options);
  } catch (const std::invalid_argument& e) {
    throw config::config_error("BANDITORE_LISTEN", e.what());
  }
  try {
    if (!s.quiet_hours.empty()) domain::parse_quiet_hours(s.quiet_hours);
  } catch (const std::invalid_argument& e) {
    throw config::config_error("BANDITORE_QUIET_HOURS", e.what());
  }
}

// Binding the listening port, with the failures an operator meets said in
// one line: another process on the port (which may go away: exit 1, and
// systemd tries again), or an address this machine cannot listen on
// (configuration: exit 3).
void start_listening(http::server& server, const std::string& listen) {
  try {
    server.start();
  } catch (const boost::system::system_error& e) {
    if (e.code() == boost::asio::error::address_in_use)
      throw std::runtime_error("BANDITORE_LISTEN=" + listen +
                               ": address already in use; another process listens there (stop it or choose "
                               "another port)");
    if (e.code() == boost::asio::error::access_denied)
      throw config::config_error("BANDITORE_LISTEN", listen + ": permission denied (ports below 1024 need a "
                                                              "privilege; use a port above 1024 behind a proxy)");
    if (e.code() == boost::system::errc::address_not_available)
      throw config::config_error("BANDITORE_LISTEN", listen + ": no interface of this machine has that address");
    throw std::runtime_error("BANDITORE_LISTEN=" + listen + ": cannot listen: " + e.code().message());
  }
}

using domain::now_ms;

}  // namespace

struct service::impl {
  // A business number's channel, sender and credentials check; declared
  // first, as member functions take it.
  struct number_lane {
    std::string id;  // the deployment's name for it ("default" with one number)
    std::unique_ptr<whatsapp::cloud_channel> channel;
    std::unique_ptr<dispatch::sender> sender;
    std::unique_ptr<whatsapp::credentials_check> credentials;  // its own token and id, read with the Graph API
    whatsapp::credentials_verdict verdict;                    // the last answer
  };

  impl(config::settings s, config::cap_settings cap_config, config::ops_settings o, config::public_settings pub,
       config::approval_settings approval)
      : settings(std::move(s)), ops(std::move(o)) {
    auto problems = config::missing_for_serve(settings);
    if (!problems.empty()) {
      std::string all;
      for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
      throw std::invalid_argument(all);
    }
    check_own_settings(settings, server_options);
    auto replies = load_replies(settings);
    server_options.max_connections = settings.max_connections;
    server_options.max_body_bytes = settings.max_body_bytes;
    // An alert's attachment may be a document of Meta's 100 MB, uploaded
    // alone or in the console's compose form (its text fields and the
    // multipart framing take up to 64 KiB more).
    server_options.large_body_paths = {"/v1/media", "/console/compose"};
    server_options.max_large_body_bytes = domain::max_document_bytes + 64 * 1024;
    server_options.idle_timeout = std::chrono::milliseconds(settings.http_idle_timeout_ms);
    // Once a request has begun its head gets three times as long as an
    // idle connection: idle sockets are the cheap way to hold connections.
    server_options.header_timeout = 3 * server_options.idle_timeout;
    server_options.read_timeout = std::chrono::milliseconds(settings.http_read_timeout_ms);
    server_options.max_connections_per_address = settings.max_connections_per_address;
    server_options.reserved_connections = settings.reserved_connections;
    try {
      server_options.trusted_proxies = http::proxy_list::parse(settings.trusted_proxies);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("BANDITORE_TRUSTED_PROXIES: ") + e.what());
    }

    store::sqlite::engine_options engine_options;
    console_admin.replies = replies;  // what the admin pages show, as the engine answers with
    console_admin.replies_file = settings.replies_file;
    engine_options.conversation.texts = std::move(replies);
    engine_options.conversation.help_interval_ms = settings.help_interval_seconds * 1000;
    engine_options.conversation.language = settings.language;
    engine_options.conversation.town = settings.town;
    engine_options.conversation.replies_name_number_town = !settings.numbers.empty() && settings.replies_file.empty();
    engine_options.conversation.contacts = {settings.office_contact, settings.privacy_url};
    engine_options.template_fallback = !settings.wa_template_name.empty();
    engine_options.recover_leases = true;
    engine_options.direct_group_limit = settings.inbound_direct_limit;
    numbers = config::serving_numbers(settings);
    if (!settings.numbers.empty()) {
      nlohmann::json routes = nlohmann::json::object();
      for (const auto& n : numbers) {
        engine_options.number_ids.push_back(n.id);
        engine_options.conversation.number_towns[n.id] = n.towns;
        for (const auto& town : n.towns) routes[town] = n.id;
      }
      engine_options.number_routes_json = routes.dump();
    }
    // The keys follow `banditore rotate-keys` run beside the service.
    if (auto from_file = store::sqlite::key_loader_for(settings)) {
      engine_options.reload = [from_file] {
        auto fresh = from_file();
        log::info("keys.reloaded", {{"fingerprint", crypto::key_fingerprint(fresh)},
                                    {"retired_keys", fresh.retired.size()}});
        return fresh;
      };
    }
    auto opened = store::sqlite::open_engine(settings, std::move(engine_options));
    log::info("store.opened", {{"migrations_applied", opened.migrations_applied},
                               {"schema_version", store::sqlite::latest_schema_version()},
                               {"key_created", opened.key_created}});
    db = std::move(opened.store);
    if (db->recovered_leases() > 0) log::warn("outbox.recovered_leases", {{"rows", db->recovered_leases()}});
    // The run-time settings: the environment's, then what admins changed
    // in the console or over REST, read from the database.
    live = std::make_unique<live_settings>(config::process_environment(), *db);
    live->load();
    {
      // Webhook requests that arrive together share one commit.
      auto& commits = metrics::default_registry().counter_for(
          "banditore_db_group_commits_total", "Transactions committed for groups of webhook requests");
      auto& jobs = metrics::default_registry().counter_for(
          "banditore_db_grouped_requests_total", "Webhook requests committed in those groups");
      db->on_group_commit([&commits, &jobs](std::size_t n) {
        commits.inc();
        jobs.inc(static_cast<double>(n));
      });
    }
    // Citizens' messages applied from the inbound journal are logged and
    // counted like those applied with their webhook, on the network
    // thread, which also wakes the senders for their replies.
    db->on_inbound_applied([this](std::vector<store::sqlite::journal_applied> done) {
      asio::post(io, [this, done = std::move(done)] {
        bool replies = false;
        for (const auto& a : done) replies = note_decisions(a.request_id, a.results) || replies;
        if (replies && webhook.outbox_changed) webhook.outbox_changed();
      });
    });

    if (!settings.numbers.empty()) {
      // The towns a number serves must be the catalogue's (they are
      // managed at run time, so this is checked against the database).
      std::vector<std::string> towns;
      for (const auto& t : db->list_catalogue().towns) towns.push_back(t.id);
      try {
        config::check_number_towns(numbers, towns);
      } catch (const std::invalid_argument& e) {
        throw config::config_error("BANDITORE_NUMBERS_FILE", e.what());
      }
    }
    // One channel and one sender per business number: each sends on its
    // own phone_number_id with its own token, at its own rate, with its own
    // template, in parallel with the others.
    for (const auto& n : numbers) {
      whatsapp::cloud_channel_options wa;
      wa.api_base = settings.wa_api_base;
      wa.api_version = settings.wa_api_version;
      wa.phone_number_id = n.phone_number_id;
      wa.token = n.token;
      wa.ca_file = settings.wa_ca_file;
      wa.max_connections = settings.wa_max_in_flight;
      wa.request_timeout = std::chrono::milliseconds(settings.wa_timeout_ms);
      auto lane = std::make_unique<number_lane>();
      lane->channel = std::make_unique<whatsapp::cloud_channel>(io.get_executor(), wa);

      dispatch::sender_options so;
      so.rate_per_second = n.rate;
      so.max_in_flight = settings.wa_max_in_flight;
      so.pair_pause = std::chrono::milliseconds(settings.wa_pair_pause_ms);
      // A burst of 20 ms worth of messages absorbs timer oversleep, so the
      // achieved rate stays at the limit instead of drifting below it.
      so.burst = std::max(1.0, n.rate / 50);
      so.template_name = n.template_name;
      so.template_image_name = n.template_image_name;
      so.template_document_name = n.template_document_name;
      so.template_language = n.template_language;
      so.template_params = settings.wa_template_params;
      so.town = settings.town;
      so.labels = config::severity_labels_for(settings);
      so.always_template = settings.wa_template_mode == "always";
      so.tier_limit = n.tier;
      so.media = db.get();
      so.progressed = [this] { progress.notify(); };
      if (!settings.numbers.empty()) {
        so.number_id = n.id;
        so.adopts_unrouted = &n == &numbers.front();
        so.portfolio = n.portfolio;
      }
      if (n.rate == 0) log::warn("sender.unpaced", {{"number", n.id}, {"detail", "rate 0: no pacing; only for benchmarks against the simulator"}});
      lane->sender = std::make_unique<dispatch::sender>(io, *db, *lane->channel, so);
      // Each number's own token and id are checked with the Graph API: a
      // wrong token on the second number would otherwise show only when
      // its first alert fails.
      whatsapp::credentials_check_options check;
      check.api_base = settings.wa_api_base;
      check.api_version = settings.wa_api_version;
      check.phone_number_id = n.phone_number_id;
      check.token = n.token;
      check.ca_file = settings.wa_ca_file;
      check.timeout = std::chrono::milliseconds(settings.wa_timeout_ms);
      lane->id = n.id;
      lane->credentials = std::make_unique<whatsapp::credentials_check>(io.get_executor(), check);
      lanes.push_back(std::move(lane));
      webhook.numbers.emplace(n.phone_number_id, n.id);
    }
    if (settings.numbers.empty()) webhook.numbers.clear();  // one number: as before

    planner = std::make_unique<dispatch::planner>(io, *db, [this] {
      wake_senders();
      progress.notify();
    });
    // A scheduled alert released to the planner is news for the public
    // pages too (its state moves).
    scheduler = std::make_unique<dispatch::scheduler>(io, *db, [this] {
      planner->wake();
      progress.notify();
      public_web->alerts_changed();
    });

    webhook.verify_token = settings.wa_verify_token;
    webhook.app_secret = settings.wa_app_secret;
    webhook.phone_number_id = settings.wa_phone_number_id;
    webhook.inbound = db.get();
    webhook.outbox_changed = [this] {
      wake_senders();
      progress.notify();
    };
    add_webhook_routes(routes, webhook);

    alerts_api.alerts = db.get();
    alerts_api.keys = db.get();
    alerts_api.drafts = db.get();
    alerts_api.models = db.get();
    alerts_api.media = db.get();
    alerts_api.audience = db.get();
    alerts_api.throttle = &auth_failures;
    // Free text allows WhatsApp's 4096 characters; with a template
    // configured, alerts may go as its parameters, within its 1024.
    alerts_api.limits = config::alert_limits_for(settings);
    alerts_api.duplicate_window_ms = settings.duplicate_window_seconds * 1000;
    alerts_api.tier_limit = settings.wa_tier;
    alerts_api.phone_number_id = settings.wa_phone_number_id;
    alerts_api.messages_per_second = settings.wa_rate;
    if (!settings.numbers.empty())
      for (const auto& n : numbers)
        alerts_api.numbers.push_back({n.id, n.phone_number_id, n.portfolio, n.rate, n.tier});
    alerts_api.price = config::template_price_for(settings);
    alerts_api.price_category = settings.wa_template_category;
    alerts_api.price_market = settings.wa_market;
    alerts_api.phone.town = settings.town;
    alerts_api.phone.labels = config::severity_labels_for(settings);
    alerts_api.phone.template_name = settings.wa_template_name;
    alerts_api.phone.template_image_name = settings.wa_template_image_name;
    alerts_api.phone.template_document_name = settings.wa_template_document_name;
    alerts_api.phone.template_language = settings.wa_template_language;
    alerts_api.phone.template_params = settings.wa_template_params;
    alerts_api.phone.template_body = settings.wa_template_body;
    if (!settings.quiet_hours.empty()) {
      auto q = domain::parse_quiet_hours(settings.quiet_hours);
      alerts_api.quiet_hours = std::make_pair(q.start_minute, q.end_minute);
    }
    alerts_api.alerts_changed = [this] {
      planner->wake();
      scheduler->wake();
      public_web->alerts_changed();
    };
    alerts_api.outbox_changed = [this] { wake_senders(); };
    alerts_api.approval = approval.rule;
    alerts_api.live = &live->policy();
    add_alert_routes(routes, alerts_api);
    add_draft_routes(routes, alerts_api);
    add_model_routes(routes, alerts_api);
    add_media_routes(routes, alerts_api);
    audience_api.audience = db.get();
    audience_api.keys = db.get();
    audience_api.throttle = &auth_failures;
    add_audience_routes(routes, audience_api);
    settings_api.keys = db.get();
    settings_api.throttle = &auth_failures;
    settings_api.live = live.get();
    add_settings_routes(routes, settings_api);
    cap.policy = cap_config.policy;
    cap.topics = cap_config.topics;
    cap.audience = db.get();
    if (alerts_api.limits.template_form) {
      // A CAP text is cut to what the template leaves it beside the
      // longest title; folding turns each blank line into " — ", one more
      // character, hence the margin.
      const auto room = alerts_api.limits.template_room;
      const std::size_t margin = domain::max_title + 40;
      cap.drafts.max_text = std::min<std::size_t>(cap.drafts.max_text, room > margin + 100 ? room - margin : 100);
    }
    cap.keys = db.get();
    cap.throttle = &auth_failures;
    cap.alerts_changed = [this] {
      planner->wake();
      scheduler->wake();
      public_web->alerts_changed();
    };
    cap.cap = db.get();
    cap.hold = approval.hold_cap;
    cap.live = &live->policy();
    add_cap_routes(routes, cap);
    cap_feed_options feed_options;
    feed_options.feeds = cap_config.feeds;
    feed_options.interval = cap_config.poll_interval;
    feed_options.ca_file = settings.wa_ca_file;
    cap_poller = std::make_unique<cap_feed_poller>(io, cap, feed_options);
    news_feed_options news_options;
    for (const auto& f : ops.news_feeds) news_options.feeds.push_back({f.town_id, f.url});
    news_options.interval = std::chrono::seconds(ops.news_poll_seconds);
    news_options.ca_file = settings.wa_ca_file;
    news_poller = std::make_unique<news_feed_poller>(io, *db, news_options);
    for (const auto& n : numbers)
      limit_labels.push_back({n.id, settings.numbers.empty() ? std::string{} : n.portfolio, n.tier});
    metrics_ctx.token = ops.metrics_token;
    metrics_ctx.refresh = [this]() -> asio::awaitable<void> {
      const auto now = now_ms();
      auto figures = co_await db->figures(now);
      publish_store_figures(figures, metrics::default_registry());
      publish_limit_figures(figures, limit_labels, metrics::default_registry());
    };
    add_metrics_route(routes, metrics_ctx);
    add_health_routes();
    {
      public_site site;
      site.name = "Avvisi " + (settings.town.empty() ? std::string("di pubblica utilità")
                                                      : "del " + domain::town_label(settings.town));
      site.number = pub.number;
      site.base_url = pub.base_url;
      site.cap_sender = pub.cap_sender;
      public_web = std::make_unique<public_pages>(std::move(site), db.get(), db.get());
      public_web->add_routes(routes);
    }

    {
      // The staff console (/console/): sessions, logins and pages.
      const auto console_settings = config::console_from_environment(config::process_environment());
      staff_login_options lo;
      lo.limits.idle_ms = console_settings.session_idle_ms();
      lo.limits.absolute_ms = console_settings.session_max_ms();
      lo.require_totp = console_settings.totp_required;
      login = std::make_unique<staff_login>(*db, login_failures, lo, &hashing);
      console.accounts = db.get();
      console.alerts = db.get();
      console.drafts = db.get();
      console.audience = db.get();
      console.trail = db.get();
      console.figures = db.get();
      console.login = login.get();
      console.progress = &progress;
      console.csrf = csrf_key(opened.keys);
      console.limits = lo.limits;
      console.totp_required = console_settings.totp_required;
      console.trusted_proxies = server_options.trusted_proxies;
      console.site_name = settings.town.empty() ? std::string("banditore") : domain::town_label(settings.town);
      add_console_routes(routes, console);
      add_console_account_routes(routes, console);
      add_console_alert_routes(routes, console);
      add_console_compose_routes(routes, console, alerts_api);
      add_console_draft_routes(routes, console, alerts_api);
      add_console_model_routes(routes, console, alerts_api);
      console_admin.staff = db.get();
      console_admin.keys = db.get();
      console_admin.settings = config::effective_settings(config::process_environment());
      console_admin.live = live.get();
      add_console_admin_routes(routes, console, console_admin);
    }

    server = std::make_unique<http::server>(io, server_options, routes);
    start_listening(*server, settings.listen);
    // Without BANDITORE_PUBLIC_URL, links name the service's own address.
    if (pub.base_url.empty()) {
      const bool v6 = server_options.address.find(':') != std::string::npos;
      const auto host = v6 ? "[" + server_options.address + "]" : server_options.address;
      public_web->set_base_url("http://" + host + ":" + std::to_string(server->port()));
    }
  }

  void add_health_routes() {
    routes.add("GET", "/healthz", [](http::request&) -> asio::awaitable<http::response> {
      co_return http::json_response(200, R"({"status":"ok"})");
    });
    routes.add("GET", "/readyz", [this](http::request&) -> asio::awaitable<http::response> {
      bool writable = false;
      std::string failure;
      try {
        co_await db->probe_writable();
        writable = true;
      } catch (const std::exception& e) {
        failure = e.what();
      }
      // Ready when every number's sender runs; a number whose credentials
      // the provider rejects says so.
      dispatch::sender_stats st;
      st.running = true;
      for (const auto& lane : lanes) {
        const auto one = lane->sender->stats();
        st.running = st.running && one.running;
        st.configuration_error = st.configuration_error || one.configuration_error;
      }
      nlohmann::json body = {{"database", writable ? "writable" : "unavailable"},
                             {"sender", st.running ? "running" : "stopped"},
                             {"provider_configuration", st.configuration_error ? "rejected" : "ok"}};
      // The last credentials check, not a new one: /readyz may be polled
      // every few seconds, Meta is asked every BANDITORE_WA_CHECK_SECONDS.
      // Every number's; the answer as a whole is the worst of them, and
      // its detail the first number in that state's.
      const std::unique_ptr<number_lane>* worst = &lanes.front();
      for (const auto& lane : lanes)
        if (credentials_rank(lane->verdict.state) > credentials_rank((*worst)->verdict.state)) worst = &lane;
      const auto& wa = (*worst)->verdict;
      body["whatsapp_credentials"] = whatsapp::to_string(wa.state);
      if (wa.state == whatsapp::credentials_state::rejected || wa.state == whatsapp::credentials_state::unreachable) {
        body["whatsapp_detail"] = wa.detail;
        if (wa.error_code != 0) body["whatsapp_error_code"] = wa.error_code;
        if (!settings.numbers.empty()) body["whatsapp_number"] = (*worst)->id;
      }
      if (!settings.numbers.empty()) {
        // Several numbers: each by the deployment's id for it, never its
        // token.
        auto each = nlohmann::json::array();
        for (const auto& lane : lanes) {
          nlohmann::json one = {{"number", lane->id}, {"credentials", whatsapp::to_string(lane->verdict.state)}};
          const auto st = lane->verdict.state;
          if (st == whatsapp::credentials_state::rejected || st == whatsapp::credentials_state::unreachable) {
            one["detail"] = lane->verdict.detail;
            if (lane->verdict.error_code != 0) one["error_code"] = lane->verdict.error_code;
          }
          if (lane->verdict.state == whatsapp::credentials_state::ok) one["verified_name"] = lane->verdict.verified_name;
          each.push_back(std::move(one));
        }
        body["whatsapp_numbers"] = std::move(each);
      }
      if (credentials_checked_ms != 0) body["whatsapp_checked_at"] = domain::format_rfc3339_utc(credentials_checked_ms);
      // Unreachable says nothing about the token (the sender retries);
      // rejected, or not yet known, is not ready.
      const bool credentials_ok = wa.state == whatsapp::credentials_state::ok ||
                                  wa.state == whatsapp::credentials_state::unreachable;
      const bool ready = writable && st.running && credentials_ok && !stopping;
      body["status"] = ready ? "ready" : "not ready";
      if (!failure.empty()) body["detail"] = failure;
      co_return http::json_response(ready ? 200 : 503, http::json_text(body));
    });
  }

  // Delivery records and inbound message ids older than the retention age
  // are purged by the service itself, a few times a day.
  asio::awaitable<void> purge_periodically() {
    for (;;) {
      const auto age = ops.retention_ms();
      std::string failure;
      store::retention_result purged;
      try {
        const auto now = now_ms();
        purged = co_await db->purge(age, now);
      } catch (const std::exception& e) {
        failure = e.what();
      }
      if (!failure.empty()) log::error("retention.failed", {{"error", failure}});
      else
        log::info("retention.purged", {{"inbound", purged.inbound_deleted}, {"outbox", purged.outbox_deleted},
                                       {"early_statuses", purged.early_statuses_deleted},
                                       {"media", purged.media_deleted}});
      purge_timer.expires_after(std::chrono::hours(6));
      auto [ec] = co_await purge_timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec || stopping) co_return;
    }
  }

  // Every number's WhatsApp credentials, checked at start and then
  // periodically, one number after the other; a change of a number's
  // verdict is logged once.
  asio::awaitable<void> check_credentials_periodically() {
    for (;;) {
      for (auto& lane : lanes) {
        auto verdict = co_await lane->credentials->run();
        note_credentials(*lane, std::move(verdict));
        if (stopping) co_return;
      }
      credentials_checked_ms = now_ms();
      credentials_timer.expires_after(std::chrono::seconds(ops.wa_check_seconds));
      auto [ec] = co_await credentials_timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec || stopping) co_return;
    }
  }

  // Worse is higher: /readyz answers for the worst number.
  static int credentials_rank(whatsapp::credentials_state s) {
    switch (s) {
      case whatsapp::credentials_state::ok: return 0;
      case whatsapp::credentials_state::unreachable: return 1;
      case whatsapp::credentials_state::unchecked: return 2;
      case whatsapp::credentials_state::rejected: return 3;
    }
    return 3;
  }

  void note_credentials(number_lane& lane, whatsapp::credentials_verdict verdict) {
    const bool changed = verdict.state != lane.verdict.state;
    lane.verdict = std::move(verdict);
    if (!changed) return;
    const auto& v = lane.verdict;
    // The number by the deployment's id for it; its token never.
    if (v.state == whatsapp::credentials_state::ok) {
      log::info("whatsapp.credentials_ok", {{"number", lane.id}, {"verified_name", v.verified_name}});
    } else if (v.state == whatsapp::credentials_state::rejected) {
      const char* hint = settings.numbers.empty()
                             ? "check BANDITORE_WA_TOKEN and BANDITORE_WA_PHONE_NUMBER_ID (docs/meta-setup.md)"
                             : "check this number's token and phone_number_id in BANDITORE_NUMBERS_FILE "
                               "(docs/configuration.md, \"Several numbers\")";
      log::error("whatsapp.credentials_rejected",
                 {{"number", lane.id}, {"http_status", v.http_status}, {"code", v.error_code}, {"detail", v.detail},
                  {"hint", hint}});
    } else {
      log::warn("whatsapp.credentials_unchecked",
                {{"number", lane.id}, {"http_status", v.http_status}, {"detail", v.detail}});
    }
  }

  asio::awaitable<void> shutdown(int signal_number) {
    purge_timer.cancel();
    credentials_timer.cancel();
    stopping = true;
    log::info("server.stopping", {{"signal", signal_number}});
    co_await server->stop();
    log::info("server.connections_closed", nlohmann::json::object());
    co_await cap_poller->stop();
    co_await news_poller->stop();
    co_await scheduler->stop();
    co_await planner->stop();
    for (auto& lane : lanes) co_await lane->sender->stop();
    log::info("server.stopped", nlohmann::json::object());
    io.stop();
  }

  int run() {
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([this](const boost::system::error_code& ec, int number) {
      if (ec) return;
      asio::co_spawn(io, shutdown(number), asio::detached);
    });
    for (auto& lane : lanes) lane->sender->start();
    planner->start();
    scheduler->start();
    asio::co_spawn(io, purge_periodically(), asio::detached);
    asio::co_spawn(io, check_credentials_periodically(), asio::detached);
    cap_poller->start();
    news_poller->start();
    log::info("server.listening", {{"address", server_options.address}, {"port", server->port()},
                                   {"wa_api_base", settings.wa_api_base}, {"rate", settings.wa_rate}});
    io.run();
    return 0;
  }

  config::settings settings;
  http::server_options server_options;
  // Alerts moved: the console's event streams look again. Before io, so
  // that it outlives any coroutine frame the io_context still holds.
  change_notifier progress;
  asio::io_context io{1};
  // The store, behind its interfaces (store/); SQLite is the engine.
  std::unique_ptr<store::sqlite::engine> db;
  std::unique_ptr<live_settings> live;
  settings_api_context settings_api;
  std::vector<config::business_number> numbers;
  std::vector<std::unique_ptr<number_lane>> lanes;
  void wake_senders() {
    for (auto& lane : lanes) lane->sender->wake();
  }
  std::unique_ptr<dispatch::planner> planner;
  std::unique_ptr<dispatch::scheduler> scheduler;
  auth_throttle auth_failures;
  alerts_context alerts_api;
  audience_context audience_api;
  http::router routes;
  webhook_context webhook;
  cap_context cap;
  std::unique_ptr<cap_feed_poller> cap_poller;
  std::unique_ptr<news_feed_poller> news_poller;
  std::unique_ptr<public_pages> public_web;
  // Argon2id of the staff logins runs here, off the network thread.
  asio::thread_pool hashing{1};
  login_throttle login_failures;
  std::unique_ptr<staff_login> login;
  console_context console;
  console_admin_context console_admin;
  std::unique_ptr<http::server> server;
  config::ops_settings ops;
  metrics_context metrics_ctx;
  asio::steady_timer purge_timer{io};
  std::int64_t credentials_checked_ms = 0;  // when every number was last checked
  std::vector<number_limit> limit_labels;  // each number's limit gauges (/metrics)
  asio::steady_timer credentials_timer{io};
  bool stopping = false;
};

service::service(config::settings settings, config::cap_settings cap, config::ops_settings ops,
                 config::public_settings pub, config::approval_settings approval)
    : impl_(std::make_unique<impl>(std::move(settings), std::move(cap), std::move(ops), std::move(pub),
                                   std::move(approval))) {}
service::~service() = default;
int service::run() { return impl_->run(); }

}  // namespace banditore::app
