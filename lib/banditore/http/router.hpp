// Maps a method and a path pattern ("/v1/alerts/{id}") to a handler. Unknown
// paths get 404, known paths with another method 405, both as problem+json.
#pragma once

#include <banditore/http/message.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::http {

using handler = std::function<boost::asio::awaitable<response>(request&)>;

struct route_info {
  std::string method;
  std::string pattern;
};

class router {
 public:
  // Segments written {name} match one non-empty path segment and land in
  // request::path_params[name].
  void add(std::string method, std::string pattern, handler h);

  // Finds the handler and fills path_params; nullptr with status 404 or 405.
  const handler* match(request& req, int& status_if_none) const;

  std::vector<route_info> routes() const;

 private:
  struct entry {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    handler h;
  };
  std::vector<entry> entries_;
};

// A path parameter or form field naming a row: a positive integer, digits
// only; nullopt otherwise (a 404 or 400 for the caller to word).
std::optional<std::int64_t> positive_id(std::string_view text);

}  // namespace banditore::http
