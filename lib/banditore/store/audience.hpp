// The deployment's towns, topics and areas as stored: listed, added,
// changed and removed by the REST API and the command line. Every change
// is checked by the rules of domain/audience_rules.hpp inside the
// transaction that makes it, and recorded in the audit log.
#pragma once

#include <banditore/domain/audience.hpp>
#include <banditore/domain/audience_rules.hpp>
#include <banditore/store/alerts.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>

namespace banditore::store {

// What the HTTP handlers ask.
class audience {
 public:
  virtual ~audience() = default;
  // Every town, topic and area, each list in the order entries were added.
  virtual boost::asio::awaitable<domain::audience_catalogue> catalogue() = 0;
  virtual boost::asio::awaitable<domain::catalogue_verdict> add(domain::catalogue_entry entry, actor who,
                                                                std::int64_t now_ms) = 0;
  // Replaces the entry with the same kind and id.
  virtual boost::asio::awaitable<domain::catalogue_verdict> update(domain::catalogue_entry entry, actor who,
                                                                   std::int64_t now_ms) = 0;
  virtual boost::asio::awaitable<domain::catalogue_verdict> remove(domain::catalogue_kind kind, std::string id,
                                                                   actor who, std::int64_t now_ms) = 0;
};

// What the command line does, the same as plain calls.
class audience_admin {
 public:
  virtual ~audience_admin() = default;
  virtual domain::audience_catalogue list_catalogue() = 0;
  virtual domain::catalogue_verdict add_entry(const domain::catalogue_entry& entry, const actor& who,
                                              std::int64_t now_ms) = 0;
  virtual domain::catalogue_verdict update_entry(const domain::catalogue_entry& entry, const actor& who,
                                                 std::int64_t now_ms) = 0;
  virtual domain::catalogue_verdict remove_entry(domain::catalogue_kind kind, std::string_view id, const actor& who,
                                                 std::int64_t now_ms) = 0;
};

}  // namespace banditore::store
