#include <banditore/app/key_rotation.hpp>

#include <banditore/crypto/data_keys.hpp>
#include <banditore/store/sqlite/engine.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace banditore::app {

rotation_report rotate_data_keys(const config::settings& settings, const rotation_options& options) {
  rotation_report report;
  auto opened = store::sqlite::open_engine(settings);
  store::key_rotation& rotation = *opened.store;

  crypto::data_keys keys;
  if (!settings.data_keys.empty()) {
    // The configuration cannot be rewritten from here: the operator puts
    // the new key in it, with the old one as retired=, and this finishes.
    if (opened.keys.retired.empty()) {
      report.outcome = rotation_outcome::keys_from_configuration;
      return report;
    }
    report.from_configuration = true;
    keys = opened.keys;
    rotation.name_keys(keys);
  } else {
    keys = rotation.name_new_key(settings.key_file, report.resumed);
  }
  report.fingerprint = crypto::key_fingerprint(keys);

  // Rows sealed under the old key before the database named the new one
  // are found by the first pass; a second finds none, unless a process that
  // does not check the fingerprint (an older banditore) still seals with it.
  for (;;) {
    if (report.passes == options.max_passes)
      throw std::runtime_error(fmt::format(
          "numbers sealed under the old key kept appearing for {} passes: a process still uses it (an older "
          "banditore?); the old key stays in the key file: stop that process and run rotate-keys again",
          report.passes));
    const auto counts = rotation.reseal_pass(keys, options.batch_size);
    ++report.passes;
    report.resealed += counts.resealed;
    report.unreadable = counts.unreadable;
    if (options.on_pass) options.on_pass(report.passes, counts.resealed);
    if (counts.resealed == 0) break;
  }

  if (!report.from_configuration) rotation.drop_retired(settings.key_file, keys);
  return report;
}

}  // namespace banditore::app
