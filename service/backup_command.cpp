#include "backup_command.hpp"
#include "cli.hpp"

#include <banditore/store/sqlite/backup.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace {

using namespace banditore;
namespace fs = std::filesystem;

using namespace banditore::cli;

void print_backup_help() {
  std::puts(
      "Usage: banditore backup PATH [--force]\n"
      "\n"
      "Writes a consistent copy of the database (BANDITORE_DB) to PATH while the\n"
      "service keeps running, using SQLite's online backup. The copy goes to PATH.tmp\n"
      "first and is renamed into place once complete and checked, so PATH is always a\n"
      "whole backup. It is one file, mode 0600. Prints its size and schema version.\n"
      "\n"
      "  --force   replace PATH if it exists (otherwise an existing PATH is an error)\n"
      "\n"
      "The copy is useless without the key file (BANDITORE_KEY_FILE): back that up\n"
      "once, and keep it apart from the database copies. Restore: stop the service,\n"
      "copy the backup over BANDITORE_DB (removing any -wal and -shm beside it), keep\n"
      "the key file, start the service. See docs/operations.md.");
}

}  // namespace

int run_backup_command(const config::settings& settings, const std::vector<std::string>& args) {
  std::optional<std::string> path;
  bool force = false;
  for (argument_reader in(args, 0); !in.done();) {
    if (in.at_help()) {
      print_backup_help();
      return exit_ok;
    }
    if (in.end_of_options()) continue;
    if (in.flag("--force")) {
      force = true;
    } else if (in.at_option()) {
      return fail(exit_usage, fmt::format("backup: unknown option '{}'; see banditore backup --help", in.current()));
    } else if (path) {
      return fail(exit_usage, "backup: give one destination path");
    } else {
      path = in.take();
    }
  }
  if (!path) return fail(exit_usage, "backup: give the destination path; see banditore backup --help");

  // Opening would create an empty database: a backup of nothing is a
  // misconfigured BANDITORE_DB.
  if (!fs::exists(settings.db_path))
    return fail(exit_config, fmt::format("backup: there is no database at {} (BANDITORE_DB)", settings.db_path));

  try {
    // No migration and no key check: a backup copies what is there.
    const auto r = store::sqlite::backup_database(settings.db_path, *path, force);
    if (r.outcome == store::backup_outcome::destination_exists)
      return fail(exit_failure, fmt::format("backup: {} exists; choose another path or add --force", *path));
    fmt::print("backup written to {}: {} bytes, schema version {}\n", *path, r.bytes, r.schema_version);
  } catch (const std::invalid_argument& e) {
    return fail(exit_usage, fmt::format("backup: {}", e.what()));
  } catch (const std::exception& e) {
    return fail(exit_failure, fmt::format("backup: {}", e.what()));
  }
  return exit_ok;
}
