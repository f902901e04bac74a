// The public face of the service, on the same port as the API: how to
// join (/ and the A4 poster /manifesto/{town}), the archive (/avvisi,
// /avvisi/{id}), the Atom feed (/avvisi.atom), a box for town websites
// (/widget) and every public alert as CAP 1.2 for aggregators (/cap/).
// No login, no cookie, no script, nothing about subscribers. Pages are
// kept in memory, validated with ETag and Last-Modified, and rendered
// again only when the alerts change (docs/public.md).
#pragma once

#include <banditore/http/router.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace banditore::store {
class public_alerts;
class audience;
}  // namespace banditore::store

namespace banditore::app {

struct public_site {
  std::string name;      // "Avvisi del Comune di Lugo": every page's title
  std::string number;    // the business number as citizens write to it; empty: not published
  std::string base_url;  // absolute, no trailing slash: links in feeds, CAP and the poster
  std::string cap_sender;  // CAP <sender>; empty: the host of base_url
  // How long a cached page is served before the store is asked whether
  // anything changed (changes made in this process are seen at once).
  std::int64_t recheck_ms = 2000;
  // A cached page is rendered again after this long in any case (towns,
  // topics and areas changed, an alert's validity ran out).
  std::int64_t max_age_ms = 60'000;
  std::function<std::int64_t()> now;  // the clock; unset: domain::now_ms
};

class public_pages {
 public:
  // Either store may be null only for listing the routes.
  public_pages(public_site site, store::public_alerts* alerts, store::audience* audience);
  ~public_pages();
  public_pages(const public_pages&) = delete;
  public_pages& operator=(const public_pages&) = delete;

  void add_routes(http::router& routes);
  // Alerts were created, cancelled or hidden in this process: the next
  // request asks the store before answering from memory.
  void alerts_changed();
  // The address links are written with, once the port is known.
  void set_base_url(std::string url);

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace banditore::app
