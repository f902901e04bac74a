#include "users_command.hpp"
#include "cli.hpp"

#include <banditore/crypto/hash.hpp>
#include <banditore/crypto/password.hpp>
#include <banditore/crypto/recovery_codes.hpp>
#include <banditore/crypto/totp.hpp>
#include <banditore/domain/comma_list.hpp>
#include <banditore/domain/password_policy.hpp>
#include <banditore/domain/rfc3339.hpp>
#include <banditore/domain/utf8.hpp>
#include <banditore/store/sqlite/engine.hpp>
#include <banditore/store/staff.hpp>
#include <banditore/web/qr.hpp>

#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace {

using namespace banditore;
using namespace banditore::cli;

constexpr std::string_view cli_actor = "cli";

std::string role_list() { return fmt::format("{}", fmt::join(store::staff_roles, ", ")); }

void print_users_help() {
  fmt::print(
      "Usage: banditore users SUBCOMMAND [OPTIONS]\n"
      "\n"
      "Staff accounts of the console (roles: {}).\n"
      "\n"
      "Subcommands:\n"
      "  create --email EMAIL --name NAME --role ROLE [--towns a,b] [--password-stdin]\n"
      "                               create an account; prints a temporary password once\n"
      "  list                         show every account (never a password or secret)\n"
      "  disable EMAIL                refuse the account's logins and end its sessions\n"
      "  enable EMAIL                 allow the account again\n"
      "  reset-password EMAIL [--password-stdin]\n"
      "                               a new temporary password; ends every session\n"
      "  set-role EMAIL ROLE          change the account's role\n"
      "  totp-enroll EMAIL [--qr-svg FILE]\n"
      "                               a new second factor: prints the otpauth URI and the\n"
      "                               recovery codes once, writes the QR code to FILE\n"
      "\n"
      "Run `banditore users SUBCOMMAND --help` for details.\n",
      role_list());
}

void print_create_help() {
  fmt::print(
      "Usage: banditore users create --email EMAIL --name NAME --role ROLE [--towns a,b] [--password-stdin]\n"
      "\n"
      "Creates a staff account. Without --password-stdin a temporary password is made\n"
      "and printed alone on the last line of stdout, only this once: only its Argon2id\n"
      "hash is stored. With --password-stdin the password is read from the first line\n"
      "of stdin instead (at least {} characters, not a common one, not the email's name).\n"
      "\n"
      "  --email EMAIL     the login, stored in lower case\n"
      "  --name NAME       shown in the console and the audit log\n"
      "  --role ROLE       one of {}\n"
      "  --towns a,b       town ids the account is limited to (banditore towns list); default all\n",
      domain::min_password_characters, role_list());
}

void print_simple_help(std::string_view usage, std::string_view what) { fmt::print("Usage: {}\n\n{}\n", usage, what); }

struct opened_users {
  store::sqlite::opened_engine opened;
  store::staff_admin& users;
  explicit opened_users(const config::settings& s) : opened(store::sqlite::open_engine(s)), users(*opened.store) {}
};

// Opens the store, or says why not (exit 3).
std::optional<opened_users> open_users(const config::settings& settings, int& code) {
  try {
    std::optional<opened_users> out;
    out.emplace(settings);
    return out;
  } catch (const std::exception& e) {
    code = fail(exit_config, e.what());
    return std::nullopt;
  }
}

// The first line of stdin, without its line end.
std::optional<std::string> password_from_stdin() {
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// The password to set: read from stdin and checked against the policy, or
// made here. nullopt after printing why (code set).
std::optional<std::string> choose_password(bool from_stdin, std::string_view email, std::string_view command,
                                           int& code) {
  if (!from_stdin) return crypto::temporary_password();
  auto pw = password_from_stdin();
  if (!pw) {
    code = fail(exit_usage, fmt::format("{}: --password-stdin given but stdin is empty", command));
    return std::nullopt;
  }
  const auto verdict = domain::check_password(*pw, email);
  if (!verdict.ok()) {
    code = fail(exit_usage, fmt::format("{}: password refused: {}", command, verdict.message));
    return std::nullopt;
  }
  return pw;
}

void print_password(const std::string& password, bool generated, std::string_view email) {
  if (!generated) return;
  // The explanation goes to stderr so that stdout holds the password alone.
  fmt::print(stderr,
             "Temporary password for {} below, shown only this once (only its Argon2id hash is\n"
             "stored). Give it to its owner by a separate channel.\n",
             email);
  std::fflush(stderr);
  fmt::print("{}\n", password);
}

int users_create(const config::settings& settings, const std::vector<std::string>& args) {
  std::optional<std::string> email, name, role, towns;
  bool from_stdin = false;
  try {
    for (argument_reader in(args, 1); !in.done();) {
      if (in.at_help()) {
        print_create_help();
        return exit_ok;
      }
      if (auto v = in.value("--email")) { email = std::move(v); continue; }
      if (auto v = in.value("--name")) { name = std::move(v); continue; }
      if (auto v = in.value("--role")) { role = std::move(v); continue; }
      if (auto v = in.value("--towns")) { towns = std::move(v); continue; }
      if (in.flag("--password-stdin")) { from_stdin = true; continue; }
      throw usage_error(unexpected(in.current()));
    }
  } catch (const usage_error& e) {
    return fail(exit_usage, fmt::format("users create: {}; see banditore users create --help", e.what()));
  }
  if (!email || !name || !role)
    return fail(exit_usage, "users create: --email, --name and --role are required; see banditore users create --help");
  if (!store::valid_staff_role(*role))
    return fail(exit_usage, fmt::format("users create: unknown role '{}' (known: {})", *role, role_list()));
  const auto normal = store::normalise_staff_email(*email);
  if (!normal) return fail(exit_usage, fmt::format("users create: '{}' is not an email address", *email));

  int code = exit_ok;
  const auto password = choose_password(from_stdin, *normal, "users create", code);
  if (!password) return code;
  auto opened = open_users(settings, code);
  if (!opened) return code;
  std::int64_t id = 0;
  try {
    store::new_staff_user u{*normal, *name, *role, towns ? domain::split_comma_list(*towns) : std::vector<std::string>{},
                            crypto::hash_password(*password)};
    id = opened->users.create_user(u, cli_actor, now_ms());
  } catch (const std::invalid_argument& e) {
    return fail(exit_usage, fmt::format("users create: {}", e.what()));
  }
  fmt::print(stderr, "Created staff user {} {} ({}).\n", id, *normal, *role);
  print_password(*password, !from_stdin, *normal);
  return exit_ok;
}

std::string format_time(const std::optional<std::int64_t>& ms) {
  return ms ? domain::format_rfc3339_utc(*ms) : std::string("-");
}

int users_list(const config::settings& settings, const std::vector<std::string>& args) {
  for (argument_reader in(args, 1); !in.done();) {
    if (in.at_help()) {
      print_simple_help("banditore users list",
                        "Shows every staff account: id, email, name, role, towns, whether it has a\n"
                        "second factor (and how many recovery codes are left), whether it is disabled,\n"
                        "and its last login (UTC, RFC 3339).");
      return exit_ok;
    }
    return fail(exit_usage, fmt::format("users list: {}; see banditore users list --help", unexpected(in.current())));
  }
  int code = exit_ok;
  auto opened = open_users(settings, code);
  if (!opened) return code;
  const auto users = opened->users.list_users();
  using row = std::array<std::string, 8>;
  std::vector<row> rows{{"ID", "EMAIL", "NAME", "ROLE", "TOWNS", "TOTP", "DISABLED", "LAST LOGIN"}};
  for (const auto& u : users) {
    std::string towns;
    for (const auto& t : u.towns) towns += (towns.empty() ? "" : ",") + t;
    rows.push_back({std::to_string(u.id), u.email, u.name, u.role, towns.empty() ? "all" : towns,
                    u.totp_enrolled ? fmt::format("yes ({} codes)", u.recovery_codes_left) : "no",
                    u.disabled ? "yes" : "no", format_time(u.last_login_at)});
  }
  print_table(rows);
  if (users.empty()) fmt::print(stderr, "No staff users yet: create one with banditore users create.\n");
  return exit_ok;
}

// Reads "SUBCOMMAND EMAIL [more positional]" plus the flags a subcommand takes.
struct positional_args {
  std::vector<std::string> values;
  bool password_stdin = false;
  std::optional<std::string> qr_svg;
};

int read_positional(const std::vector<std::string>& args, std::string_view command, std::size_t expected,
                    bool takes_password_stdin, bool takes_qr, std::string_view usage, std::string_view what,
                    positional_args& out) {
  try {
    for (argument_reader in(args, 1); !in.done();) {
      if (in.at_help()) {
        print_simple_help(usage, what);
        return -1;
      }
      if (in.end_of_options()) continue;
      if (takes_password_stdin && in.flag("--password-stdin")) {
        out.password_stdin = true;
        continue;
      }
      if (takes_qr) {
        if (auto v = in.value("--qr-svg", "a file name")) {
          out.qr_svg = std::move(v);
          continue;
        }
      }
      if (in.at_option()) throw usage_error(unexpected(in.current()));
      out.values.push_back(in.take());
    }
  } catch (const usage_error& e) {
    return fail(exit_usage, fmt::format("{}: {}; see banditore {} --help", command, e.what(), command));
  }
  if (out.values.size() != expected)
    return fail(exit_usage, fmt::format("{}: expected {}; see banditore {} --help", command,
                                        expected == 1 ? "one EMAIL" : "EMAIL ROLE", command));
  return exit_ok;
}

int not_found(std::string_view command, std::string_view email) {
  return fail(exit_failure, fmt::format("{}: no staff user has the email '{}'", command, email));
}

int users_disable(const config::settings& settings, const std::vector<std::string>& args, bool disable) {
  const std::string command = disable ? "users disable" : "users enable";
  positional_args p;
  const int r = read_positional(args, command, 1, false, false,
                                disable ? "banditore users disable EMAIL" : "banditore users enable EMAIL",
                                disable ? "Refuses the account's logins from now on and ends its sessions at once."
                                        : "Allows a disabled account to log in again.",
                                p);
  if (r != exit_ok) return r < 0 ? exit_ok : r;
  int code = exit_ok;
  auto opened = open_users(settings, code);
  if (!opened) return code;
  if (!opened->users.set_disabled(p.values[0], disable, cli_actor, now_ms())) return not_found(command, p.values[0]);
  fmt::print("{} {}.\n", disable ? "Disabled" : "Enabled", p.values[0]);
  return exit_ok;
}

int users_set_role(const config::settings& settings, const std::vector<std::string>& args) {
  positional_args p;
  const int r = read_positional(args, "users set-role", 2, false, false, "banditore users set-role EMAIL ROLE",
                                fmt::format("Changes the account's role (one of {}).", role_list()), p);
  if (r != exit_ok) return r < 0 ? exit_ok : r;
  if (!store::valid_staff_role(p.values[1]))
    return fail(exit_usage, fmt::format("users set-role: unknown role '{}' (known: {})", p.values[1], role_list()));
  int code = exit_ok;
  auto opened = open_users(settings, code);
  if (!opened) return code;
  if (!opened->users.set_role(p.values[0], p.values[1], cli_actor, now_ms()))
    return not_found("users set-role", p.values[0]);
  fmt::print("{} is now {}.\n", p.values[0], p.values[1]);
  return exit_ok;
}

int users_reset_password(const config::settings& settings, const std::vector<std::string>& args) {
  positional_args p;
  const int r = read_positional(
      args, "users reset-password", 1, true, false, "banditore users reset-password EMAIL [--password-stdin]",
      "Gives the account a new password and ends every session of it. Without\n"
      "--password-stdin a temporary password is made and printed alone on the last line\n"
      "of stdout, only this once; with it, the first line of stdin is the password.",
      p);
  if (r != exit_ok) return r < 0 ? exit_ok : r;
  int code = exit_ok;
  const auto normal = store::normalise_staff_email(p.values[0]);
  if (!normal) return not_found("users reset-password", p.values[0]);
  const auto password = choose_password(p.password_stdin, *normal, "users reset-password", code);
  if (!password) return code;
  auto opened = open_users(settings, code);
  if (!opened) return code;
  if (!opened->users.reset_password(*normal, crypto::hash_password(*password), cli_actor, now_ms()))
    return not_found("users reset-password", p.values[0]);
  fmt::print(stderr, "New password set for {}; every session of it has ended.\n", *normal);
  print_password(*password, !p.password_stdin, *normal);
  return exit_ok;
}

int users_totp_enroll(const config::settings& settings, const std::vector<std::string>& args) {
  positional_args p;
  const int r = read_positional(
      args, "users totp-enroll", 1, false, true, "banditore users totp-enroll EMAIL [--qr-svg FILE]",
      "Gives the account a new second factor (TOTP, RFC 6238: SHA-1, 6 digits, 30 s),\n"
      "replacing any earlier one and its recovery codes. Prints the otpauth:// URI to\n"
      "add to an authenticator app, and 10 one-time recovery codes, only this once:\n"
      "the secret is stored sealed under the data keys, the codes as hashes.\n"
      "\n"
      "  --qr-svg FILE   also write the URI's QR code to FILE (SVG), for the app to scan",
      p);
  if (r != exit_ok) return r < 0 ? exit_ok : r;
  int code = exit_ok;
  auto opened = open_users(settings, code);
  if (!opened) return code;
  const auto user = opened->users.find_user(p.values[0]);
  if (!user) return not_found("users totp-enroll", p.values[0]);

  const auto secret = crypto::new_totp_secret();
  const auto codes = crypto::new_recovery_codes();
  std::vector<std::string> hashes;
  for (const auto& c : codes) hashes.push_back(*crypto::recovery_code_hash(c));
  const std::string deployment = settings.town.empty() ? std::string("banditore") : settings.town;
  const auto uri = crypto::otpauth_uri(secret, deployment, user->email);
  // The QR file first: if it cannot be written, nothing has changed yet.
  if (p.qr_svg) {
    std::ofstream out(*p.qr_svg, std::ios::binary | std::ios::trunc);
    out << web::qr_svg(web::qr_encode(uri), "Codice QR per l'app di autenticazione");
    out.close();
    if (!out) return fail(exit_failure, fmt::format("users totp-enroll: cannot write {}", *p.qr_svg));
  }
  if (!opened->users.enroll_totp(user->email, secret, hashes, cli_actor, now_ms()))
    return not_found("users totp-enroll", p.values[0]);
  fmt::print(stderr,
             "Second factor enrolled for {}. Add it to an authenticator app with the URI below{}.\n"
             "Then keep the recovery codes somewhere safe: each works once, in place of a code,\n"
             "if the phone is lost. Neither is shown again.\n",
             user->email, p.qr_svg ? fmt::format(" or the QR code in {}", *p.qr_svg) : "");
  std::fflush(stderr);
  fmt::print("{}\n", uri);
  for (const auto& c : codes) fmt::print("{}\n", c);
  return exit_ok;
}

}  // namespace

int run_users_command(const config::settings& settings, const std::vector<std::string>& args) {
  if (args.empty())
    return fail(exit_usage, "users: say create, list, disable, enable, reset-password, set-role or totp-enroll; "
                            "see banditore users --help");
  const std::string& sub = args.front();
  try {
    if (is_help(sub) || sub == "help") {
      print_users_help();
      return exit_ok;
    }
    if (sub == "create") return users_create(settings, args);
    if (sub == "list") return users_list(settings, args);
    if (sub == "disable") return users_disable(settings, args, true);
    if (sub == "enable") return users_disable(settings, args, false);
    if (sub == "reset-password") return users_reset_password(settings, args);
    if (sub == "set-role") return users_set_role(settings, args);
    if (sub == "totp-enroll") return users_totp_enroll(settings, args);
  } catch (const std::exception& e) {
    return fail(exit_failure, e.what());
  }
  return fail(exit_usage, fmt::format("users: unknown subcommand '{}'; see banditore users --help", sub));
}
