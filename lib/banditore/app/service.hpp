// The running service: the HTTP server and the outbox sender on one
// io_context, the database on its own thread. `banditore serve` is
// service{settings}.run().
#pragma once

#include <banditore/config/approval_settings.hpp>
#include <banditore/config/cap_settings.hpp>
#include <banditore/config/ops_settings.hpp>
#include <banditore/config/public_settings.hpp>
#include <banditore/config/settings.hpp>

#include <memory>

namespace banditore::app {

class service {
 public:
  // Opens the store and binds the port; throws std::runtime_error or
  // std::invalid_argument on bad configuration. The configuration is read
  // once, at start-up, by the caller.
  service(config::settings settings, config::cap_settings cap, config::ops_settings ops,
          config::public_settings pub = {}, config::approval_settings approval = {});
  ~service();

  // Serves until SIGINT or SIGTERM, then stops gracefully. Returns the
  // process exit code.
  int run();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace banditore::app
