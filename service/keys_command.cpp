#include "keys_command.hpp"
#include "cli.hpp"

#include <banditore/domain/alert.hpp>
#include <banditore/domain/comma_list.hpp>
#include <banditore/domain/utf8.hpp>
#include <banditore/store/api_keys.hpp>
#include <banditore/store/sqlite/engine.hpp>


#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace {

using namespace banditore;

using namespace banditore::cli;

std::string scope_list() { return fmt::format("{}", fmt::join(store::api_scopes, ", ")); }

void print_keys_help() {
  fmt::print(
      "Usage: banditore keys SUBCOMMAND [OPTIONS]\n"
      "\n"
      "API keys of the REST API (Authorization: Bearer <token>).\n"
      "\n"
      "Subcommands:\n"
      "  create --name NAME --scopes a,b [--towns x,y]\n"
      "                                    create a key; prints its token once, alone on the last line\n"
      "  list                              show every key (never a token)\n"
      "  revoke ID|NAME                    revoke a key at once\n"
      "\n"
      "Scopes: {}\n"
      "Run `banditore keys SUBCOMMAND --help` for details.\n",
      scope_list());
}

void print_create_help() {
  fmt::print(
      "Usage: banditore keys create --name NAME --scopes SCOPE[,SCOPE...] [--towns TOWN[,TOWN...]]\n"
      "\n"
      "Creates an API key and prints its token alone on the last line of stdout.\n"
      "The token is shown only now: only its SHA-256 is stored.\n"
      "\n"
      "  --name NAME      who the key is for, e.g. press-office (up to {} characters, not only digits)\n"
      "  --scopes LIST    comma-separated, from: {}\n"
      "  --towns LIST     the only towns (ids, see banditore towns list) it may send alerts to:\n"
      "                   an alert naming no town goes to them, one naming another town is refused\n"
      "                   (403); without it the key sends anywhere\n",
      store::max_key_name_length, scope_list());
}

void print_list_help() {
  std::puts(
      "Usage: banditore keys list\n"
      "\n"
      "Shows every API key: id, name, token prefix, scopes, the towns it may send to,\n"
      "and when it was created,\n"
      "revoked and last used (UTC, RFC 3339; last use is recorded to the minute).");
}

void print_revoke_help() {
  std::puts(
      "Usage: banditore keys revoke ID|NAME\n"
      "\n"
      "Revokes a key, by its id or its exact name; requests with it are refused from\n"
      "now on. A name must belong to one unrevoked key; otherwise revoke by id.");
}

// Opens the store; a failure here is the configuration's (database path,
// key file, keys that do not match the data).
struct opened_keys {
  store::sqlite::opened_engine opened;
  store::api_key_admin& keys;
  explicit opened_keys(const config::settings& s) : opened(store::sqlite::open_engine(s)), keys(*opened.store) {}
};

std::string format_time(const std::optional<std::int64_t>& ms) {
  return ms ? domain::format_rfc3339_utc(*ms) : std::string("-");
}

int keys_create(const config::settings& settings, const std::vector<std::string>& args) {
  std::optional<std::string> name, scopes, towns;
  try {
    for (argument_reader in(args, 1); !in.done();) {
      if (in.at_help()) {
        print_create_help();
        return exit_ok;
      }
      if (auto value = in.value("--name")) {
        name = std::move(value);
        continue;
      }
      if (auto value = in.value("--scopes")) {
        scopes = std::move(value);
        continue;
      }
      if (auto value = in.value("--towns")) {
        towns = std::move(value);
        continue;
      }
      throw usage_error(unexpected(in.current()));
    }
  } catch (const usage_error& e) {
    return fail(exit_usage, fmt::format("keys create: {}; see banditore keys create --help", e.what()));
  }
  if (!name) return fail(exit_usage, "keys create: --name is required; see banditore keys create --help");
  if (!scopes)
    return fail(exit_usage, fmt::format("keys create: --scopes is required (from: {})", scope_list()));

  std::optional<opened_keys> opened;
  try {
    opened.emplace(settings);
  } catch (const std::exception& e) {
    return fail(exit_config, e.what());
  }
  store::created_key created;
  try {
    const auto key_towns = towns ? domain::split_comma_list(*towns) : std::vector<std::string>{};
    if (towns && key_towns.empty()) throw std::invalid_argument("--towns names no town");
    created = opened->keys.create_key(*name, store::split_scopes(*scopes), key_towns, now_ms());
  } catch (const std::invalid_argument& e) {
    return fail(exit_usage, fmt::format("keys create: {}", e.what()));
  }
  // The explanation goes to stderr so that stdout holds the token alone.
  fmt::print(stderr,
             "Created API key {} \"{}\".\n"
             "The token below is shown only this once; only its hash is stored. Keep it in the\n"
             "caller's secret store. If it is lost, create a new key and revoke this one.\n",
             created.id, *name);
  std::fflush(stderr);
  fmt::print("{}\n", created.token);
  return exit_ok;
}

int keys_list(const config::settings& settings, const std::vector<std::string>& args) {
  for (argument_reader in(args, 1); !in.done();) {
    if (in.at_help()) {
      print_list_help();
      return exit_ok;
    }
    return fail(exit_usage,
                fmt::format("keys list: unexpected argument '{}'; see banditore keys list --help", in.current()));
  }
  std::optional<opened_keys> opened;
  try {
    opened.emplace(settings);
  } catch (const std::exception& e) {
    return fail(exit_config, e.what());
  }
  const auto keys = opened->keys.list_keys();

  using row = std::array<std::string, 8>;
  std::vector<row> rows{{"ID", "NAME", "PREFIX", "SCOPES", "TOWNS", "CREATED", "REVOKED", "LAST USED"}};
  for (const auto& k : keys) {
    std::string scopes, towns;
    for (const auto& s : k.scopes) scopes += (scopes.empty() ? "" : ",") + s;
    for (const auto& t : k.towns) towns += (towns.empty() ? "" : ",") + t;
    rows.push_back({std::to_string(k.id), k.name, k.prefix, scopes, towns.empty() ? "all" : towns,
                    format_time(k.created_at),
                    format_time(k.revoked_at), format_time(k.last_used_at)});
  }
  print_table(rows);
  if (keys.empty()) fmt::print(stderr, "No API keys yet: create one with banditore keys create.\n");
  return exit_ok;
}

int keys_revoke(const config::settings& settings, const std::vector<std::string>& args) {
  std::vector<std::string> positional;
  for (argument_reader in(args, 1); !in.done();) {
    if (in.at_help()) {
      print_revoke_help();
      return exit_ok;
    }
    if (in.end_of_options()) continue;
    if (in.at_option())
      return fail(exit_usage,
                  fmt::format("keys revoke: unknown option '{}'; see banditore keys revoke --help", in.current()));
    positional.push_back(in.take());
  }
  if (positional.size() != 1)
    return fail(exit_usage, "keys revoke: give exactly one key id or name; see banditore keys revoke --help");
  const std::string& target = positional.front();
  // A pasted token must not end up in a terminal log: name only its prefix.
  // Names never start with the token scheme, so this is a token (or part of one).
  if (target.rfind(store::token_scheme, 0) == 0)
    return fail(exit_usage, fmt::format("keys revoke: that is a token, not a key id or name; revoke the key whose "
                                        "prefix is {} (see banditore keys list)",
                                        target.substr(0, std::min(target.size(), store::token_prefix_length))));

  std::optional<opened_keys> opened;
  try {
    opened.emplace(settings);
  } catch (const std::exception& e) {
    return fail(exit_config, e.what());
  }
  store::revoke_result result;
  try {
    result = opened->keys.revoke_key(target, now_ms());
  } catch (const std::invalid_argument& e) {
    return fail(exit_failure, fmt::format("keys revoke: {}", e.what()));
  }
  switch (result.outcome) {
    case store::revoke_outcome::revoked:
      fmt::print("Revoked API key {} \"{}\".\n", result.id, result.name);
      return exit_ok;
    case store::revoke_outcome::already_revoked:
      // Revoking is idempotent: the key is refused either way.
      fmt::print("API key {} \"{}\" was already revoked.\n", result.id, result.name);
      return exit_ok;
    case store::revoke_outcome::not_found: break;
  }
  return fail(exit_failure, fmt::format("keys revoke: no API key has the id or name '{}'", target));
}

}  // namespace

int run_keys_command(const config::settings& settings, const std::vector<std::string>& args) {
  if (args.empty()) return fail(exit_usage, "keys: say create, list or revoke; see banditore keys --help");
  const std::string& sub = args.front();
  try {
    if (is_help(sub) || sub == "help") {
      print_keys_help();
      return exit_ok;
    }
    if (sub == "create") return keys_create(settings, args);
    if (sub == "list") return keys_list(settings, args);
    if (sub == "revoke") return keys_revoke(settings, args);
  } catch (const std::exception& e) {
    return fail(exit_failure, e.what());
  }
  return fail(exit_usage, fmt::format("keys: unknown subcommand '{}'; see banditore keys --help", sub));
}
