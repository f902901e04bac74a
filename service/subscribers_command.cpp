#include "subscribers_command.hpp"
#include "cli.hpp"

#include <banditore/config/alert_form.hpp>
#include <banditore/crypto/data_keys.hpp>
#include <banditore/domain/alert.hpp>
#include <banditore/domain/local_time.hpp>
#include <banditore/domain/phone.hpp>
#include <banditore/domain/quiet_hours.hpp>
#include <banditore/domain/subscriber_list.hpp>
#include <banditore/domain/import_notice.hpp>
#include <banditore/store/sqlite/engine.hpp>
#include <banditore/store/subscriber_admin.hpp>


#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace {

using namespace banditore;

using namespace banditore::cli;

// Numbers typed without "+" or "00" are read as Italian ones.
constexpr std::string_view default_country = "39";

void print_subscribers_help() {
  std::puts(
      "Usage: banditore subscribers SUBCOMMAND [OPTIONS]\n"
      "\n"
      "The subscriber list, for the operator. Numbers are stored encrypted and found\n"
      "by their keyed hash; no output shows a number other than the one you typed.\n"
      "\n"
      "Subcommands:\n"
      "  lookup NUMBER          is this number subscribed, since when, and its consent events\n"
      "  forget NUMBER          erase this number now (GDPR erasure request)\n"
      "  count                  how many subscribers, and how many are flagged\n"
      "  import FILE.csv        subscribe the numbers of a WhatsApp Business broadcast list\n"
      "\n"
      "Numbers without +/00 are read as Italian (333 1234567, 06 12345678).\n"
      "Run `banditore subscribers SUBCOMMAND --help` for details.");
}

void print_lookup_help() {
  std::puts(
      "Usage: banditore subscribers lookup NUMBER\n"
      "\n"
      "Answers an access request: whether NUMBER is subscribed, since when (RFC 3339\n"
      "in Europe/Rome time, with its offset), how it joined (whatsapp or import), whether its deliveries are\n"
      "flagged as failing, what it receives now (towns, topics, areas, severe only),\n"
      "and its consent events (subscribe, unsubscribe, opt_out, import, forget, add,\n"
      "remove, ...) with their times and the catalogue ids each concerned. The\n"
      "consent log outlives the subscription.");
}

void print_forget_help() {
  std::puts(
      "Usage: banditore subscribers forget NUMBER\n"
      "\n"
      "Answers an erasure request at once, in one transaction: deletes the subscriber\n"
      "(with the encrypted number), cancels the messages still queued for it, erases\n"
      "every encrypted copy of the number in the outbox, and deletes its contact and\n"
      "inbound message records. The consent log keeps its events (hash, event, time:\n"
      "proof of consent without the number) and gets a 'forget' event. A number the\n"
      "service never saw leaves no trace. Safe to run while the service is running.");
}

void print_count_help() {
  std::puts(
      "Usage: banditore subscribers count\n"
      "\n"
      "Prints the number of subscribers and, of those, how many are flagged because\n"
      "their deliveries kept failing permanently.");
}

void print_import_help() {
  std::puts(
      "Usage: banditore subscribers import FILE.csv [--notice TEXT | --no-notice] [--dry-run]\n"
      "\n"
      "Subscribes the numbers of a list the town kept in the WhatsApp Business app\n"
      "(broadcast lists), so the people on it keep receiving the alerts.\n"
      "\n"
      "The file is CSV (comma, semicolon or tab; as Excel, LibreOffice, Google\n"
      "Contacts or a WhatsApp Business contact export writes it) with a header line\n"
      "naming the columns, in any case and order:\n"
      "  number         required: number, numero, telefono, cellulare, cell, phone,\n"
      "                 whatsapp ... or Google Contacts' Phone 1 - Value; with several\n"
      "                 number columns the first mobile number of the row is taken.\n"
      "                 +39 333 1234567, 0039..., national (333 1234567), Excel's '333...\n"
      "  consent_date   optional (also data consenso, data iscrizione): 2023-05-14,\n"
      "                 14/05/2023 (Europe/Rome), with a time or RFC 3339 (default: now)\n"
      "Other columns (names ...) are ignored and not stored.\n"
      "\n"
      "Numbers already subscribed or repeated in the file are skipped as duplicates.\n"
      "Every line that is not imported is listed with its line number and the reason\n"
      "(never the number): not a number, a landline or another number that cannot\n"
      "have WhatsApp, a bad or future date, a malformed row. Everything is imported\n"
      "in one transaction, with an 'import' consent event per number.\n"
      "\n"
      "  --notice TEXT   the one-time message sent to each imported number (up to 1024\n"
      "                  characters with a template configured)\n"
      "  --no-notice     send nothing\n"
      "  --dry-run       check the file and print the counts, import nothing\n"
      "By default each imported number gets an Italian notice presenting the service\n"
      "and how to leave (DISATTIVA).\n"
      "\n"
      "The notice is an alert addressed to the imported numbers only, written in the\n"
      "same transaction: source import, category other, severity minor, title\n"
      "\"Nuovo servizio di avvisi\". Subscribers already on the list receive nothing.\n"
      "The running service (banditore serve) sends it like any alert: at the\n"
      "configured rate (BANDITORE_WA_RATE), within WhatsApp's messaging limit\n"
      "(BANDITORE_WA_TIER; the rest waits), and as the approved template\n"
      "(BANDITORE_WA_TEMPLATE_NAME) to people who have not written in the last\n"
      "24 hours, which on an old broadcast list is almost everyone. Being minor, a\n"
      "notice imported during the quiet hours (BANDITORE_QUIET_HOURS) waits for\n"
      "their end. The import prints the alert's id: banditore alerts show ID follows\n"
      "it, banditore alerts cancel ID stops it; GET /v1/alerts lists it too.\n"
      "\n"
      "Without a template configured the notice goes as free text, which WhatsApp\n"
      "refuses (error 131047) to anyone who has not written in the last 24 hours:\n"
      "configure the template first, or import with --no-notice.");
}

// Opens the store; a failure here is the configuration's (database path,
// key file, keys that do not match the data): exit code 3.
std::optional<store::sqlite::opened_engine> open_or_report(const config::settings& settings) {
  try {
    return store::sqlite::open_engine(settings);
  } catch (const std::exception& e) {
    fail(exit_config, e.what());
    return std::nullopt;
  }
}

std::optional<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

// One positional argument, after an optional --help; fills number.
// Returns an exit code when the command is done (help or usage error).
std::optional<int> one_number(const std::vector<std::string>& args, std::string_view sub, void (*help)(),
                              std::string& e164) {
  std::vector<std::string> positional;
  for (argument_reader in(args, 1); !in.done();) {
    if (in.at_help()) {
      help();
      return exit_ok;
    }
    positional.push_back(in.take());
  }
  if (positional.size() != 1)
    return fail(exit_usage, fmt::format("subscribers {}: give exactly one number; see banditore subscribers {} --help",
                                        sub, sub));
  auto normalised = domain::normalise_phone(positional.front(), default_country);
  // What was typed is not repeated: it may be a number with a typo in it.
  if (!normalised) return fail(exit_usage, fmt::format("subscribers {}: that is not a phone number", sub));
  e164 = *normalised;
  return std::nullopt;
}

// Times an operator reads and may pass on in an answer to an access
// request: the town's clock, with its offset, so no reader has to convert.
std::string local_record_time(std::int64_t unix_ms) {
  return domain::format_rfc3339_local_ms(domain::default_time_zone, unix_ms);
}

int cmd_lookup(const config::settings& settings, const std::vector<std::string>& args) {
  std::string e164;
  if (auto done = one_number(args, "lookup", print_lookup_help, e164)) return *done;
  auto opened = open_or_report(settings);
  if (!opened) return exit_config;
  const auto rec = opened->store->lookup(crypto::phone_hash(opened->keys, e164));
  if (rec.subscribed) {
    fmt::print("+{}: subscribed since {} (source {})\n", e164, local_record_time(rec.subscribed_at), rec.source);
    if (rec.flagged_at)
      fmt::print("flagged since {}: deliveries kept failing permanently\n",
                 local_record_time(*rec.flagged_at));
    auto ids = [](const std::vector<std::string>& v) {
      return v.empty() ? std::string("-") : fmt::format("{}", fmt::join(v, ", "));
    };
    fmt::print("receives: towns {}; topics {}; areas {}{}\n", ids(rec.towns), ids(rec.topics), ids(rec.areas),
               rec.only_severe ? "; severe and extreme alerts only" : "");
  } else {
    fmt::print("+{}: not subscribed\n", e164);
  }
  if (rec.consent.empty()) {
    fmt::print("consent log: no events\n");
  } else {
    fmt::print("consent log:\n");
    for (const auto& e : rec.consent) {
      std::string concerned;
      if (!e.towns.empty()) concerned += " towns=" + e.towns;
      if (!e.topics.empty()) concerned += " topics=" + e.topics;
      if (!e.areas.empty()) concerned += " areas=" + e.areas;
      fmt::print("  {}  {}{}\n", local_record_time(e.at), e.event, concerned);
    }
  }
  return exit_ok;
}

int cmd_forget(const config::settings& settings, const std::vector<std::string>& args) {
  std::string e164;
  if (auto done = one_number(args, "forget", print_forget_help, e164)) return *done;
  auto opened = open_or_report(settings);
  if (!opened) return exit_config;
  const auto r = opened->store->forget(crypto::phone_hash(opened->keys, e164), now_ms());
  if (!r.known) {
    fmt::print("+{}: nothing stored for this number; nothing to erase\n", e164);
    return exit_ok;
  }
  fmt::print(
      "+{}: erased\n"
      "  subscriber rows deleted       {}\n"
      "  queued messages cancelled     {}\n"
      "  encrypted recipients erased   {}\n"
      "  contact rows deleted          {}\n"
      "  inbound message records       {}\n"
      "  consent events kept           {} (and a 'forget' event added)\n",
      e164, r.subscribers_deleted, r.outbox_cancelled, r.outbox_erased, r.contacts_deleted, r.inbound_deleted,
      r.consent_kept);
  return exit_ok;
}

int cmd_count(const config::settings& settings, const std::vector<std::string>& args) {
  for (argument_reader in(args, 1); !in.done();) {
    if (in.at_help()) {
      print_count_help();
      return exit_ok;
    }
    return fail(exit_usage, fmt::format("subscribers count: unexpected argument '{}'", in.current()));
  }
  auto opened = open_or_report(settings);
  if (!opened) return exit_config;
  const auto c = opened->store->count();
  fmt::print("subscribers {}\nflagged {}\n", c.subscribers, c.flagged);
  return exit_ok;
}

int cmd_import(const config::settings& settings, const std::vector<std::string>& args) {
  std::optional<std::string> file, notice;
  bool no_notice = false, dry_run = false;
  try {
    for (argument_reader in(args, 1); !in.done();) {
      if (in.at_help()) {
        print_import_help();
        return exit_ok;
      }
      if (in.flag("--no-notice")) {
        no_notice = true;
      } else if (in.flag("--dry-run")) {
        dry_run = true;
      } else if (auto value = in.value("--notice", "a text")) {
        notice = std::move(value);
      } else if (in.at_option()) {
        return fail(exit_usage, fmt::format("subscribers import: unknown option '{}'; see banditore subscribers import --help",
                                            in.current()));
      } else if (file) {
        return fail(exit_usage, "subscribers import: give one file");
      } else {
        file = in.take();
      }
    }
  } catch (const usage_error& e) {
    return fail(exit_usage, fmt::format("subscribers import: {}", e.what()));
  }
  if (!file) return fail(exit_usage, "subscribers import: give the CSV file; see banditore subscribers import --help");
  if (notice && no_notice) return fail(exit_usage, "subscribers import: --notice and --no-notice exclude each other");
  if (notice && notice->empty()) return fail(exit_usage, "subscribers import: --notice needs a text");

  auto text = read_whole_file(*file);
  if (!text) return fail(exit_failure, fmt::format("subscribers import: cannot read {}", *file));

  const auto now = now_ms();
  store::import_options options;
  options.default_country = std::string(default_country);
  options.language = settings.language;
  options.dry_run = dry_run;
  if (!no_notice) {
    options.notice = notice ? *notice : domain::default_import_notice(settings.town);
    // The notice is an alert: the same checks as banditore send, so a text
    // too long for the template's parameter is refused here, not by Meta.
    const nlohmann::json body = {
        {"category", "other"}, {"severity", "minor"}, {"title", options.notice_title}, {"text", *options.notice}};
    auto validation = domain::validate_alert(body, config::alert_limits_for(settings), now);
    if (!validation.errors.empty()) {
      std::string reasons;
      for (const auto& e : validation.errors)
        reasons += fmt::format("{}{} {}", reasons.empty() ? "" : "; ", e.field == "text" ? "notice" : e.field,
                               e.reason);
      return fail(exit_usage, fmt::format("subscribers import: {}", reasons));
    }
    try {
      if (!settings.quiet_hours.empty())
        if (auto until = domain::quiet_until(domain::parse_quiet_hours(settings.quiet_hours), now))
          options.notice_not_before = *until;
    } catch (const std::invalid_argument& e) {
      return fail(exit_config, fmt::format("BANDITORE_QUIET_HOURS: {}", e.what()));
    }
  }

  auto opened = open_or_report(settings);
  if (!opened) return exit_config;
  // A rotation may run beside the import: the keys follow it.
  const auto r = opened->store->import(*text, options, now);
  if (!r.error.empty()) return fail(exit_failure, fmt::format("subscribers import: {}: {}", *file, r.error));

  // Each refused line with its reason, so the town can fix its file; the
  // line's content is never repeated (it may be someone's number).
  fmt::print("{}imported {}, duplicates {}, rejected {}\n", dry_run ? "dry run: would have " : "", r.imported,
             r.duplicates, r.rejected.size());
  for (const auto& rejected : r.rejected)
    fmt::print("line {}: {}\n", rejected.line, domain::describe(rejected.reason));
  if (r.notices_queued == 0) return exit_ok;
  if (dry_run) {
    fmt::print("dry run: the notice would have been queued for {} imported number(s)\n", r.notices_queued);
    return exit_ok;
  }
  fmt::print("notice queued for {} imported number(s) as alert {}; follow it with banditore alerts show {}\n",
             r.notices_queued, r.notice_alert_id, r.notice_alert_id);
  if (options.notice_not_before > now)
    fmt::print(stderr, "The notice is held for quiet hours until {} ({} local time).\n",
               domain::format_local_ms(domain::default_time_zone, options.notice_not_before),
               domain::default_time_zone);
  if (settings.wa_template_name.empty())
    fmt::print(stderr,
               "warning: no template is configured (BANDITORE_WA_TEMPLATE_NAME): WhatsApp refuses the notice as "
               "free text to anyone who has not written in the last 24 hours; banditore alerts cancel {} stops it\n",
               r.notice_alert_id);
  return exit_ok;
}

}  // namespace

int run_subscribers_command(const config::settings& settings, const std::vector<std::string>& args) {
  if (args.empty())
    return fail(exit_usage, "subscribers: say lookup, forget, count or import; see banditore subscribers --help");
  const std::string& sub = args.front();
  if (is_help(sub) || sub == "help") {
    print_subscribers_help();
    return exit_ok;
  }
  try {
    if (sub == "lookup") return cmd_lookup(settings, args);
    if (sub == "forget") return cmd_forget(settings, args);
    if (sub == "count") return cmd_count(settings, args);
    if (sub == "import") return cmd_import(settings, args);
  } catch (const std::exception& e) {
    return fail(exit_failure, e.what());
  }
  return fail(exit_usage, fmt::format("subscribers: unknown subcommand '{}'; see banditore subscribers --help", sub));
}
