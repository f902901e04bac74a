// The console's admin pages (role admin) under /console/admin/: staff
// accounts, API keys, the towns, topics and areas, the reply texts and the
// settings. They do what `banditore users|keys|towns|topics|areas` and the
// REST API's /v1/towns... do, through the same store calls and rules
// (store/staff.hpp, store/api_keys.hpp, store/audience.hpp with
// domain/audience_rules), and audit each change as staff:<email>.
#pragma once

#include <banditore/app/console.hpp>
#include <banditore/config/effective_settings.hpp>
#include <banditore/domain/replies.hpp>
#include <banditore/http/router.hpp>

#include <optional>
#include <string>
#include <vector>

namespace banditore::store {
class api_key_directory;
class staff_directory;
}  // namespace banditore::store

namespace banditore::app {

class live_settings;

struct console_admin_context {
  store::staff_directory* staff = nullptr;
  store::api_key_directory* keys = nullptr;
  // The texts the service answers citizens with, as loaded at start-up
  // (BANDITORE_LANGUAGE, BANDITORE_TOWN, BANDITORE_REPLIES_FILE): shown,
  // not changed, since the service reads them once.
  std::optional<domain::reply_texts> replies;
  std::string replies_file;
  // What the service runs with (config/effective_settings.hpp), secrets masked.
  std::vector<config::effective_setting> settings;
  // The settings an admin may change while the service runs
  // (app/live_settings.hpp); null: the page only shows.
  live_settings* live = nullptr;
};

void add_console_admin_routes(http::router& routes, console_context& ctx, console_admin_context& admin);

}  // namespace banditore::app
