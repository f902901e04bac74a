#include "alerts_command.hpp"
#include "cli.hpp"

#include <banditore/config/alert_form.hpp>
#include <banditore/domain/alert.hpp>
#include <banditore/domain/local_time.hpp>
#include <banditore/domain/quiet_hours.hpp>
#include <banditore/domain/utf8.hpp>
#include <banditore/store/alerts.hpp>
#include <banditore/store/sqlite/engine.hpp>


#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace {

using namespace banditore;

using namespace banditore::cli;

constexpr std::int64_t default_list_limit = 20;
constexpr std::int64_t max_list_limit = 100;
// The service's planner polls every second: a send still planning after this
// long most likely has no service to pick it up.
constexpr auto planner_hint_after = std::chrono::seconds(10);
constexpr auto poll_interval = std::chrono::milliseconds(500);

std::optional<std::int64_t> parse_positive(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

// The town's clock, with its offset: what the press office reads.
std::string format_time(const std::optional<std::int64_t>& ms) {
  return ms ? domain::format_rfc3339_local_ms(domain::default_time_zone, *ms) : std::string("-");
}

// A failure to open is the configuration's (database path, key file, keys
// that do not match the data).
std::optional<store::sqlite::opened_engine> open_or_report(const config::settings& settings, int& code) {
  try {
    return store::sqlite::open_engine(settings);
  } catch (const std::exception& e) {
    code = fail(exit_config, e.what());
    return std::nullopt;
  }
}

void print_alerts_help() {
  std::puts(
      "Usage: banditore alerts SUBCOMMAND [OPTIONS]\n"
      "\n"
      "Alerts in the local database (no API key needed).\n"
      "\n"
      "Subcommands:\n"
      "  list [--limit N]   the newest alerts first (N from 1 to 100, default 20)\n"
      "  show ID            one alert with its delivery counts\n"
      "  cancel ID          stop what has not been sent yet\n"
      "\n"
      "To send an alert: banditore send --help.");
}

void print_list_help() {
  std::puts(
      "Usage: banditore alerts list [--limit N]\n"
      "\n"
      "Shows the newest alerts first: id, state, severity, category, when it was\n"
      "created (UTC, RFC 3339) and its title. N is from 1 to 100 (default 20).");
}

void print_show_help() {
  std::puts(
      "Usage: banditore alerts show ID\n"
      "\n"
      "Shows one alert: its fields, its state and how many deliveries are in each\n"
      "state (queued, sending, sent, delivered, read, failed, cancelled).");
}

void print_cancel_help() {
  std::puts(
      "Usage: banditore alerts cancel ID\n"
      "\n"
      "Cancels an alert: deliveries not yet sent are dropped; messages already sent\n"
      "cannot be called back. An alert already finished is left as it is.");
}

void print_send_help() {
  std::puts(
      "Usage: banditore send --category C --severity S --title T --text X [--expires-at TIME] [--not-public]\n"
      "                      [--no-wait]\n"
      "\n"
      "Writes an alert into the database; the running service (banditore serve)\n"
      "broadcasts it to every subscriber. Prints the alert id on stdout, then follows\n"
      "the broadcast on stderr until it is done, cancelled or expired. Interrupting\n"
      "the wait does not stop the broadcast: use banditore alerts cancel ID.\n"
      "\n"
      "  --category C       water, roads, weather, civil_protection, health, other\n"
      "  --severity S       extreme, severe, moderate, minor (only minor waits out quiet hours)\n"
      "  --title T          up to 120 characters\n"
      "  --text X           the message citizens read\n"
      "  --expires-at TIME  RFC 3339 with offset, e.g. 2026-11-24T18:00:00+01:00\n"
      "  --not-public       keep it off the public pages and feeds (non pubblicare)\n"
      "  --no-wait          print the id and return at once\n"
      "\n"
      "Exit codes: 0 sent (or queued with --no-wait), 1 cancelled, expired or failed,\n"
      "2 invalid fields, 3 configuration error.");
}

std::optional<std::int64_t> id_argument(const std::vector<std::string>& args, const std::string& sub, int& code,
                                        void (*help)()) {
  std::vector<std::string> positional;
  for (argument_reader in(args, 1); !in.done();) {
    if (in.at_help()) {
      help();
      code = exit_ok;
      return std::nullopt;
    }
    if (in.at_option()) {
      code = fail(exit_usage,
                  fmt::format("alerts {}: {}; see banditore alerts {} --help", sub, unexpected(in.current()), sub));
      return std::nullopt;
    }
    positional.push_back(in.take());
  }
  if (positional.size() != 1) {
    code = fail(exit_usage, fmt::format("alerts {}: give exactly one alert id; see banditore alerts {} --help", sub, sub));
    return std::nullopt;
  }
  auto id = parse_positive(positional.front());
  if (!id) code = fail(exit_usage, fmt::format("alerts {}: '{}' is not an alert id (a positive integer)", sub, positional.front()));
  return id;
}

int alerts_list(const config::settings& settings, const std::vector<std::string>& args) {
  std::int64_t limit = default_list_limit;
  try {
    for (argument_reader in(args, 1); !in.done();) {
      if (in.at_help()) {
        print_list_help();
        return exit_ok;
      }
      if (auto value = in.value("--limit")) {
        auto n = parse_positive(*value);
        if (!n || *n > max_list_limit) throw usage_error("--limit must be from 1 to 100");
        limit = *n;
        continue;
      }
      throw usage_error(unexpected(in.current()));
    }
  } catch (const usage_error& e) {
    return fail(exit_usage, fmt::format("alerts list: {}; see banditore alerts list --help", e.what()));
  }
  int code = exit_ok;
  auto opened = open_or_report(settings, code);
  if (!opened) return code;
  store::alert_admin& alerts = *opened->store;
  const auto list = alerts.list_alerts(0, static_cast<std::size_t>(limit));

  using row = std::array<std::string, 6>;
  std::vector<row> rows{{"ID", "STATE", "SEVERITY", "CATEGORY", "CREATED", "TITLE"}};
  for (const auto& a : list)
    rows.push_back({std::to_string(a.id), a.state, a.severity, a.category, format_time(a.created_at), a.title});
  print_table(rows);
  if (list.empty()) fmt::print(stderr, "No alerts yet: send one with banditore send.\n");
  return exit_ok;
}

void print_report(const store::alert_report& r) {
  const auto& a = r.alert;
  const auto& c = r.counts;
  fmt::print(
      "id:          {}\n"
      "state:       {}\n"
      "severity:    {}\n"
      "category:    {}\n"
      "title:       {}\n"
      "text:        {}\n"
      "source:      {}\n"
      "created:     {}\n"
      "not before:  {}\n"
      "expires:     {}\n"
      "cancelled:   {}\n"
      "finished:    {}\n"
      "recipients:  {}\n"
      "deliveries:  queued {}, sending {}, sent {}, delivered {}, read {}, failed {}, cancelled {}\n"
      "first sent:  {}\n"
      "last sent:   {}\n",
      a.id, a.state, a.severity, a.category, a.title, a.text, a.source, format_time(a.created_at),
      format_time(a.not_before), format_time(a.expires_at), format_time(a.cancelled_at), format_time(a.finished_at),
      a.planned_count, c.queued, c.sending, c.sent, c.delivered, c.read, c.failed, c.cancelled,
      format_time(r.first_sent_at), format_time(r.last_sent_at));
  if (r.waiting_for_limit > 0) fmt::print("held by WhatsApp's messaging limit: {}\n", r.waiting_for_limit);
}

int alerts_show(const config::settings& settings, const std::vector<std::string>& args) {
  int code = exit_ok;
  auto id = id_argument(args, "show", code, print_show_help);
  if (!id) return code;
  auto opened = open_or_report(settings, code);
  if (!opened) return code;
  store::alert_admin& alerts = *opened->store;
  auto report = alerts.alert_report_of(*id);
  if (!report) return fail(exit_failure, fmt::format("alerts show: no alert has the id {}", *id));
  print_report(*report);
  return exit_ok;
}

int alerts_cancel(const config::settings& settings, const std::vector<std::string>& args) {
  int code = exit_ok;
  auto id = id_argument(args, "cancel", code, print_cancel_help);
  if (!id) return code;
  auto opened = open_or_report(settings, code);
  if (!opened) return code;
  store::alert_admin& alerts = *opened->store;
  const auto now = now_ms();
  const store::actor cli{"cli", std::nullopt};
  // The cancel and its audit row commit together.
  const auto cancelled = alerts.cancel_alert(*id, cli, now);
  const auto& before = cancelled.before;
  if (!before) return fail(exit_failure, fmt::format("alerts cancel: no alert has the id {}", *id));
  if (before->state != "scheduled" && before->state != "planning" && before->state != "sending") {
    // Cancelling is idempotent: what has ended stays as it ended.
    fmt::print("Alert {} was already {}.\n", *id, before->state);
    return exit_ok;
  }
  const auto& report = cancelled.after;
  const std::int64_t dropped = report ? report->counts.cancelled : 0;
  fmt::print("Cancelled alert {}; {} deliveries not sent.\n", *id, dropped);
  return exit_ok;
}

// One line of the live progress of a broadcast.
std::string progress_line(const store::alert_report& r, std::int64_t now) {
  const auto& c = r.counts;
  const std::int64_t reached = c.sent + c.delivered + c.read;
  const std::int64_t recipients = std::max(r.alert.planned_count, c.total());
  double rate = 0;
  if (r.first_sent_at) {
    const auto end = r.alert.finished_at.value_or(now);
    const double seconds = std::max<double>(1, static_cast<double>(end - *r.first_sent_at) / 1000.0);
    rate = static_cast<double>(reached + c.failed) / seconds;
  }
  return fmt::format("alert {} {}: reached {}/{}, failed {}, queued {}, {:.1f}/s", r.alert.id, r.alert.state, reached,
                     recipients, c.failed, c.queued + c.sending, rate);
}

bool finished_state(const std::string& state) {
  return state == "done" || state == "cancelled" || state == "expired";
}

int follow(store::alert_admin& alerts, std::int64_t id) {
  using clock = std::chrono::steady_clock;
  const bool terminal = ::isatty(::fileno(stderr)) == 1;
  const auto started = clock::now();
  auto last_line = clock::now() - std::chrono::seconds(1);
  bool hinted = false;
  std::size_t drawn = 0;
  for (;;) {
    // A fresh store per poll: each read sees what the service committed since.
    auto report = alerts.alert_report_of(id);
    if (!report) return fail(exit_failure, fmt::format("send: alert {} disappeared from the database", id));
    const bool finished = finished_state(report->alert.state);
    const auto line = progress_line(*report, now_ms());
    if (terminal) {
      // Redraw in place, blanking what a longer previous line left behind.
      fmt::print(stderr, "\r{}{}", line, std::string(drawn > line.size() ? drawn - line.size() : 0, ' '));
      drawn = line.size();
      if (finished) fmt::print(stderr, "\n");
    } else if (finished || clock::now() - last_line >= std::chrono::seconds(1)) {
      fmt::print(stderr, "{}\n", line);
      last_line = clock::now();
    }
    std::fflush(stderr);
    if (finished) return report->alert.state == "done" ? exit_ok : exit_failure;
    if (!hinted && report->alert.state == "planning" && clock::now() - started >= planner_hint_after) {
      if (terminal) fmt::print(stderr, "\n");
      fmt::print(stderr, "banditore: alert {} is still waiting to be planned: is `banditore serve` running?\n", id);
      drawn = 0;
      hinted = true;
    }
    std::this_thread::sleep_for(poll_interval);
  }
}

}  // namespace

int run_alerts_command(const config::settings& settings, const std::vector<std::string>& args) {
  if (args.empty()) return fail(exit_usage, "alerts: say list, show or cancel; see banditore alerts --help");
  const std::string& sub = args.front();
  try {
    if (is_help(sub) || sub == "help") {
      print_alerts_help();
      return exit_ok;
    }
    if (sub == "list") return alerts_list(settings, args);
    if (sub == "show") return alerts_show(settings, args);
    if (sub == "cancel") return alerts_cancel(settings, args);
  } catch (const std::exception& e) {
    return fail(exit_failure, e.what());
  }
  return fail(exit_usage, fmt::format("alerts: unknown subcommand '{}'; see banditore alerts --help", sub));
}

int run_send_command(const config::settings& settings, const std::vector<std::string>& args) {
  // The same body the REST API validates, so both refuse the same alerts.
  nlohmann::json body = nlohmann::json::object();
  bool wait = true;
  try {
    for (argument_reader in(args, 0); !in.done();) {
      if (in.at_help()) {
        print_send_help();
        return exit_ok;
      }
      if (in.flag("--no-wait")) {
        wait = false;
        continue;
      }
      if (in.flag("--not-public")) {
        body["public"] = false;
        continue;
      }
      bool matched = false;
      for (const auto& [opt, field] : {std::pair{"--category", "category"}, std::pair{"--severity", "severity"},
                                       std::pair{"--title", "title"}, std::pair{"--text", "text"},
                                       std::pair{"--expires-at", "expires_at"}}) {
        if (auto value = in.value(opt)) {
          body[field] = std::move(*value);
          matched = true;
          break;
        }
      }
      if (!matched) throw usage_error(unexpected(in.current()));
    }
  } catch (const usage_error& e) {
    return fail(exit_usage, fmt::format("send: {}; see banditore send --help", e.what()));
  }

  const auto now = now_ms();
  // Free text allows WhatsApp's 4096 characters; with a template
  // configured, alerts may go as its parameters, within its 1024.
  auto validation = domain::validate_alert(body, config::alert_limits_for(settings), now);
  if (!validation.errors.empty()) {
    std::string reasons;
    for (const auto& e : validation.errors)
      reasons += fmt::format("{}{} {}", reasons.empty() ? "" : "; ", e.field, e.reason);
    return fail(exit_usage, fmt::format("send: {}", reasons));
  }

  store::new_alert alert;
  alert.draft = std::move(*validation.draft);
  alert.source = "cli";
  alert.publish = validation.publish;
  alert.not_before = now;
  try {
    if (!settings.quiet_hours.empty() && alert.draft.level == domain::severity::minor) {
      if (auto until = domain::quiet_until(domain::parse_quiet_hours(settings.quiet_hours), now))
        alert.not_before = *until;
    }
  } catch (const std::invalid_argument& e) {
    return fail(exit_config, fmt::format("BANDITORE_QUIET_HOURS: {}", e.what()));
  }

  int code = exit_ok;
  auto opened = open_or_report(settings, code);
  if (!opened) return code;
  store::alert_admin& alerts = *opened->store;
  const store::actor cli{"cli", std::nullopt};
  const auto id = alerts.create_alert(alert, cli, now);
  fmt::print("{}\n", id);
  std::fflush(stdout);
  if (alert.not_before > now)
    fmt::print(stderr, "Minor alert held for quiet hours until {} ({} local time).\n",
               domain::format_local_ms(domain::default_time_zone, alert.not_before), domain::default_time_zone);
  if (!wait) return exit_ok;
  return follow(alerts, id);
}
