// banditore: the command line. Each subcommand reads the same environment
// (see `banditore --help`); errors go to stderr on one line.
#include <banditore/app/service.hpp>
#include <banditore/config/cap_settings.hpp>
#include <banditore/config/config_error.hpp>
#include <banditore/config/effective_settings.hpp>
#include <banditore/config/approval_settings.hpp>
#include <banditore/config/console_settings.hpp>
#include <banditore/config/ops_settings.hpp>
#include <banditore/config/public_settings.hpp>
#include <banditore/config/settings.hpp>
#include <banditore/config/unknown_variables.hpp>
#include <banditore/log/log.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/engine.hpp>

#include "alerts_command.hpp"
#include "audience_command.hpp"
#include "backup_command.hpp"
#include "cli.hpp"
#include "inbound_command.hpp"
#include "keys_command.hpp"
#include "rotate_command.hpp"
#include "subscribers_command.hpp"
#include "users_command.hpp"


#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace {

using namespace banditore;

using namespace banditore::cli;

void print_help() {
  std::string text =
      "banditore - the town crier of a municipality on WhatsApp\n"
      "\n"
      "Usage: banditore COMMAND [OPTIONS]\n"
      "\n"
      "Commands:\n"
      "  serve      run the HTTP server (webhook, REST API) and the sender\n"
      "  migrate    create or upgrade the database schema, then exit\n"
      "  send       send an alert to every subscriber (send --help)\n"
      "  alerts     alerts in the database: list, show, cancel\n"
      "  keys       API keys of the REST API: create, list, revoke\n"
      "  users      staff accounts of the console: create, list, disable, enable,\n"
      "             reset-password, set-role, totp-enroll\n"
      "  towns      the towns of this deployment: list, add, update, remove\n"
      "  topics     the topics citizens choose from: list, add, update, remove\n"
      "  areas      the areas of the towns (frazioni, quartieri): list, add, update, remove\n"
      "  subscribers  the subscriber list: lookup, forget, count, import\n"
      "  inbound    what citizens wrote: `inbound unknown` lists the most frequent\n"
      "             texts not understood, digits masked\n"
      "  backup     a consistent copy of the live database (backup PATH)\n"
      "  rotate-keys  seal every phone number again under a new encryption key,\n"
      "             while the service runs (the lookup key stays; rotate-keys --help)\n"
      "  --help     show this text\n"
      "  --version  show the version\n"
      "\n"
      "Configuration (environment; every secret also as NAME_FILE):\n";
  const auto all = config::all_documented_settings();
  for (const auto& s : all)
    text += fmt::format("  {:<30} {}{}\n", s.name, s.meaning,
                        s.default_value.empty() ? "" : fmt::format(" (default {})", s.default_value));
  text +=
      "\n"
      "Exit codes: 0 success, 1 failure, 2 usage error, 3 configuration error.\n";
  std::fputs(text.c_str(), stdout);
}

int cmd_migrate(const config::settings& settings, const std::vector<std::string>& args) {
  if (!args.empty() && is_help(args[0])) {
    std::puts("Usage: banditore migrate\n\nCreates the database (BANDITORE_DB) if needed and applies every\n"
              "schema migration it does not have yet. `serve` does the same at start.");
    return exit_ok;
  }
  auto opened = store::sqlite::open_engine(settings);
  fmt::print("schema version {} ({} migration(s) applied)\n", store::sqlite::latest_schema_version(),
             opened.migrations_applied);
  return exit_ok;
}

int cmd_serve(const config::settings& settings, const std::vector<std::string>& args) {
  if (!args.empty() && is_help(args[0])) {
    std::puts("Usage: banditore serve\n\nRuns the HTTP server and the outbox sender until SIGINT or SIGTERM.\n"
              "See `banditore --help` for the configuration variables.");
    return exit_ok;
  }
  // Read once, here: the service is given its whole configuration.
  auto cap = config::cap_settings::from_environment(config::process_environment());
  auto ops = config::ops_from_environment(config::process_environment());
  // No route reads the console's settings yet; checked now so a typo in
  // them stops the start rather than the first login.
  (void)config::console_from_environment(config::process_environment());
  auto pub = config::public_from_environment(config::process_environment());
  auto approval = config::approval_from_environment(config::process_environment());
  app::service svc(settings, std::move(cap), std::move(ops), std::move(pub), std::move(approval));
  return svc.run();
}

// serve and migrate run under systemd, where what they write is the log:
// one JSON object per line, fatal errors included.
bool logs_as_json(std::string_view command) { return command == "serve" || command == "migrate"; }

// A fatal error, said once: a JSON log line for the service commands, the
// usual "banditore: ..." line for the others. A configuration error names
// its variable in both.
int fatal(bool json, int code, std::string_view message) {
  if (!json) return fail(code, message);
  nlohmann::json fields = {{"error", message}, {"exit_code", code}};
  if (code == exit_config)
    if (auto variable = config::variable_named_in(message); !variable.empty()) fields["variable"] = variable;
  // BANDITORE_LOG_LEVEL=off silences the service, not its last words.
  if (!log::enabled(log::level::error)) log::set_level(log::level::error);
  log::error(code == exit_config ? "config.invalid" : "fatal", fields);
  return code;
}

std::vector<std::string> environment_names() {
  std::vector<std::string> names;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    names.emplace_back(entry.substr(0, entry.find('=')));
  }
  return names;
}

// A BANDITORE_* variable the service does not read is most likely a typo
// that leaves a default in force: say so, with the nearest real name.
void warn_unknown_variables(bool json) {
  for (const auto& u : config::find_unknown_variables(environment_names(), config::known_variable_names())) {
    if (json) {
      nlohmann::json fields = {{"variable", u.name}};
      if (!u.closest.empty()) fields["closest"] = u.closest;
      log::warn("config.unknown_variable", fields);
    } else {
      fmt::print(stderr, "banditore: warning: {} is not a banditore setting{}\n", u.name,
                 u.closest.empty() ? std::string{} : fmt::format("; did you mean {}?", u.closest));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_help();
    return exit_usage;
  }
  const std::string command = args.front();
  args.erase(args.begin());
  if (is_help(command) || command == "help") {
    print_help();
    return exit_ok;
  }
  if (command == "--version" || command == "version") {
    std::puts("banditore " BANDITORE_VERSION "\n"
              "Licence: EUPL-1.2 (see LICENCE)");
    return exit_ok;
  }

  const bool json = logs_as_json(command);
  warn_unknown_variables(json);
  config::settings settings;
  try {
    settings = config::from_environment(config::process_environment());
  } catch (const std::exception& e) {
    return fatal(json, exit_config, e.what());
  }

  try {
    if (command == "serve") return cmd_serve(settings, args);
    if (command == "migrate") return cmd_migrate(settings, args);
    if (command == "send") return run_send_command(settings, args);
    if (command == "alerts") return run_alerts_command(settings, args);
    if (command == "keys") return run_keys_command(settings, args);
    if (command == "towns" || command == "topics" || command == "areas")
      return run_audience_command(settings, command, args);
    if (command == "subscribers") return run_subscribers_command(settings, args);
    if (command == "inbound") return run_inbound_command(settings, args);
    if (command == "backup") return run_backup_command(settings, args);
    if (command == "rotate-keys") return run_rotate_keys_command(settings, args);
    if (command == "users") return run_users_command(settings, args);
  } catch (const std::invalid_argument& e) {
    return fatal(json, exit_config, e.what());
  } catch (const std::exception& e) {
    return fatal(json, exit_failure, e.what());
  }
  return fail(exit_usage, "unknown command '" + command + "'; see banditore --help");
}
