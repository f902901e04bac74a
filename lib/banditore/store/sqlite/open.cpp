#include <banditore/store/sqlite/open.hpp>

#include <banditore/config/config_error.hpp>
#include <banditore/domain/audience_rules.hpp>
#include <banditore/store/sqlite/audience.hpp>
#include <banditore/store/sqlite/choices.hpp>
#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <filesystem>
#include <stdexcept>

namespace banditore::store::sqlite {

opened_store open_store(const config::settings& settings) {
  opened_store out;
  out.db = open_database(settings.db_path);
  out.migrations_applied = migrate(*out.db);

  std::optional<std::string> stored;
  {
    SQLite::Statement q(*out.db, "SELECT value FROM meta WHERE key = 'key_fingerprint'");
    if (q.executeStep()) stored = q.getColumn(0).getString();
  }

  // Which setting the keys came from, named in every error about them.
  const std::string variable = settings.data_keys.empty() ? "BANDITORE_KEY_FILE" : "BANDITORE_DATA_KEYS";
  if (!settings.data_keys.empty()) {
    try {
      out.keys = crypto::parse_key_material(settings.data_keys);
    } catch (const std::exception& e) {
      throw config::config_error(variable, e.what());
    }
  } else {
    if (stored && !std::filesystem::exists(settings.key_file))
      throw config::config_error(variable,
          "the key file " + settings.key_file +
          " is missing but the database already holds numbers encrypted with a key: restore the key file "
          "(or set BANDITORE_DATA_KEYS); a new key would make every subscriber unreachable");
    out.keys = crypto::load_or_create_key_file(settings.key_file, out.key_created);
  }

  const auto fingerprint = crypto::key_fingerprint(out.keys);
  if (stored && !crypto::answers_to(out.keys, *stored))
    throw config::config_error(variable, "the data keys do not match this database (fingerprint " + fingerprint +
                             ", database expects " + *stored + "): wrong key file or BANDITORE_DATA_KEYS");
  if (!stored) {
    SQLite::Statement ins(*out.db, "INSERT INTO meta (key, value) VALUES ('key_fingerprint', :fp)");
    ins.bind(":fp", fingerprint);
    ins.exec();
  }
  // A database from before towns were stored gets today's town and the
  // default topics: a one-town deployment keeps working unchanged.
  seed_catalogue(*out.db, domain::configured_town(settings.town));
  seed_choices(*out.db);
  return out;
}

key_loader key_loader_for(const config::settings& settings) {
  if (!settings.data_keys.empty()) return {};
  return [path = settings.key_file] { return crypto::read_key_file(path); };
}

}  // namespace banditore::store::sqlite
