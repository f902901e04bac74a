#include "rotate_command.hpp"
#include "cli.hpp"

#include <banditore/app/key_rotation.hpp>
#include <banditore/store/sqlite/engine.hpp>


#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <exception>
#include <optional>
#include <string_view>

namespace {

using namespace banditore;

using namespace banditore::cli;

constexpr std::string_view configuration_procedure =
    "rotate-keys: the keys come from BANDITORE_DATA_KEYS, which this command cannot rewrite: put a new "
    "encryption= key in it, keep the old one as retired= and the lookup= key as it is, restart the service "
    "with it, then run rotate-keys again to seal every number under the new key (docs/operations.md)";

void print_rotate_help() {
  std::puts(
      "Usage: banditore rotate-keys\n"
      "\n"
      "Replaces the encryption key of the stored phone numbers while the service keeps\n"
      "running on the same database:\n"
      "  1. writes the key file (BANDITORE_KEY_FILE) anew with a fresh encryption= key\n"
      "     and the old one as retired=, and records the new key fingerprint in the\n"
      "     database; the running service notices and reloads the key file;\n"
      "  2. seals every number again under the new key, in short transactions,\n"
      "     pass after pass until a pass finds none left under the old key;\n"
      "  3. removes the old key from the key file.\n"
      "Prints the numbers sealed again, the passes and the new key fingerprint.\n"
      "\n"
      "  --batch-size N   rows per transaction (default 1000); smaller holds the\n"
      "                   database's write lock for less time at once\n"
      "\n"
      "If it is interrupted, run it again: it finishes the same rotation. The service\n"
      "and every command keep working in between.\n"
      "\n"
      "The lookup (HMAC) key does not change: phone numbers and WhatsApp message ids\n"
      "are stored only as its hashes, which cannot be computed again from the hashes.\n"
      "\n"
      "Database backups taken before the rotation need the previous key file: back up\n"
      "the new key file afterwards, and keep each key file with its backups.\n"
      "\n"
      "With keys in BANDITORE_DATA_KEYS the command cannot rewrite them: put a new\n"
      "encryption= key there, keep the old one as retired=, restart the service, then\n"
      "run rotate-keys; afterwards remove retired= and restart. See docs/operations.md.");
}

// --batch-size's value: a whole number of rows from 1 to 100000.
std::optional<std::size_t> parse_batch_size(std::string_view text) {
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size() || n < 1 || n > 100000) return std::nullopt;
  return n;
}

}  // namespace

int run_rotate_keys_command(const config::settings& settings, const std::vector<std::string>& args) {
  app::rotation_options options;
  try {
    for (argument_reader in(args, 0); !in.done();) {
      if (in.at_help()) {
        print_rotate_help();
        return exit_ok;
      }
      if (auto value = in.value("--batch-size")) {
        auto n = parse_batch_size(*value);
        if (!n) return fail(exit_usage, "rotate-keys: --batch-size takes a number of rows from 1 to 100000");
        options.batch_size = *n;
        continue;
      }
      return fail(exit_usage,
                  fmt::format("rotate-keys: unexpected argument '{}'; see banditore rotate-keys --help", in.current()));
    }
  } catch (const usage_error& e) {
    return fail(exit_usage, fmt::format("rotate-keys: {}", e.what()));
  }

  // Keys that do not match the data are the configuration's fault: check
  // them apart, before anything changes.
  try {
    auto opened = store::sqlite::open_engine(settings);
    if (!settings.data_keys.empty() && opened.keys.retired.empty())
      return fail(exit_config, configuration_procedure);
  } catch (const std::exception& e) {
    return fail(exit_config, e.what());
  }

  options.on_pass = [](int pass, std::int64_t resealed) {
    fmt::print("pass {}: {} number(s) sealed again\n", pass, resealed);
    std::fflush(stdout);
  };
  app::rotation_report report;
  try {
    report = app::rotate_data_keys(settings, options);
  } catch (const std::exception& e) {
    return fail(exit_failure, fmt::format("rotate-keys: {}", e.what()));
  }
  if (report.outcome == app::rotation_outcome::keys_from_configuration)
    return fail(exit_config, configuration_procedure);

  if (report.resumed) fmt::print("finished an interrupted rotation\n");
  fmt::print("rotated: {} number(s) sealed again under the new key in {} pass(es)\n", report.resealed,
             report.passes);
  fmt::print("key fingerprint: {}\n", report.fingerprint);
  if (report.unreadable > 0)
    fmt::print(stderr,
               "banditore: {} stored number(s) open with none of the keys and were left as they were\n",
               report.unreadable);
  if (report.from_configuration)
    fmt::print("now remove the retired= entries from BANDITORE_DATA_KEYS and restart the service\n");
  else
    fmt::print("the old key was removed from {}: back up this key file now; database backups taken "
               "before the rotation need the previous one\n",
               settings.key_file);
  return exit_ok;
}
