#include <banditore/http/router.hpp>

#include <charconv>

namespace banditore::http {

namespace {
std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    auto slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > pos) out.emplace_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}
}  // namespace

void router::add(std::string method, std::string pattern, handler h) {
  auto segments = split_path(pattern);
  entries_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(h)});
}

const handler* router::match(request& req, int& status_if_none) const {
  // The most specific pattern wins: "/sim/citizens/messages" beats
  // "/{version}/{id}/messages" whatever the order they were added in.
  auto segments = split_path(req.path);
  bool path_known = false;
  const entry* best = nullptr;
  int best_literals = -1;
  std::map<std::string, std::string> best_params;
  for (const auto& e : entries_) {
    if (e.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    int literals = 0;
    for (std::size_t i = 0; i < segments.size() && ok; ++i) {
      if (is_param(e.segments[i])) {
        params[e.segments[i].substr(1, e.segments[i].size() - 2)] = segments[i];
      } else {
        ok = e.segments[i] == segments[i];
        ++literals;
      }
    }
    if (!ok) continue;
    path_known = true;
    if (e.method != req.method && !(req.method == "HEAD" && e.method == "GET")) continue;
    if (literals > best_literals) {
      best = &e;
      best_literals = literals;
      best_params = std::move(params);
    }
  }
  if (!best) {
    status_if_none = path_known ? 405 : 404;
    return nullptr;
  }
  req.path_params = std::move(best_params);
  return &best->h;
}

std::vector<route_info> router::routes() const {
  std::vector<route_info> out;
  for (const auto& e : entries_) out.push_back({e.method, e.pattern});
  return out;
}

std::optional<std::int64_t> positive_id(std::string_view text) {
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || p != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

}  // namespace banditore::http
