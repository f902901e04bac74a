#include "inbound_command.hpp"
#include "cli.hpp"

#include <banditore/store/sqlite/engine.hpp>


#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdio>
#include <string_view>

namespace {

using namespace banditore;
using namespace banditore::cli;

constexpr const char* inbound_help =
    "Usage: banditore inbound unknown [--days N] [--limit N] [--json]\n"
    "\n"
    "The texts citizens wrote that were not understood, most frequent first:\n"
    "those answered with the help text (they asked for nothing the service\n"
    "knows) or with the reply buttons (probably a request). Texts are folded\n"
    "(lower case, no accents or punctuation) with every run of digits shown\n"
    "as #; nothing identifies who wrote them.\n"
    "\n"
    "  --days N    look back N days (default 30; records are kept\n"
    "              BANDITORE_RETENTION_DAYS)\n"
    "  --limit N   at most N texts (default 50)\n"
    "  --json      one JSON object: {\"days\", \"texts\": [{\"text\", \"count\",\n"
    "              \"asked\", \"last_at\"}]}\n";

bool read_count(std::string_view text, std::int64_t min, std::int64_t max, std::int64_t& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && p == text.data() + text.size() && out >= min && out <= max;
}

int unknown(const config::settings& settings, const std::vector<std::string>& args) {
  std::int64_t days = 30, limit = 50;
  bool as_json = false;
  for (argument_reader in(args, 1); !in.done();) {
    if (in.at_help()) {
      std::fputs(inbound_help, stdout);
      return exit_ok;
    }
    if (in.flag("--json")) {
      as_json = true;
      continue;
    }
    const std::string a = in.take();
    // --days N and --limit N: the value as the next argument only.
    if ((a == "--days" || a == "--limit") && !in.done()) {
      auto& into = a == "--days" ? days : limit;
      if (!read_count(in.take(), 1, a == "--days" ? 3650 : 100000, into))
        return fail(exit_usage, a + " needs a positive number");
    } else {
      return fail(exit_usage, "unknown option '" + a + "'; see banditore inbound --help");
    }
  }
  auto opened = store::sqlite::open_engine(settings);
  store::unknown_text_report& report = *opened.store;
  const auto since = now_ms() - days * 24 * 3600 * 1000;
  auto texts = report.unknown_texts(since, static_cast<std::size_t>(limit));
  if (as_json) {
    auto list = nlohmann::json::array();
    for (const auto& t : texts)
      list.push_back({{"text", t.text}, {"count", t.count}, {"asked", t.asked}, {"last_at", t.last_at_ms}});
    fmt::print("{}\n", nlohmann::json{{"days", days}, {"texts", list}}.dump());
    return exit_ok;
  }
  if (texts.empty()) {
    fmt::print("no texts left not understood in the last {} days\n", days);
    return exit_ok;
  }
  fmt::print("{:>7} {:>7}  {}\n", "count", "buttons", "text");
  for (const auto& t : texts) fmt::print("{:>7} {:>7}  {}\n", t.count, t.asked, t.text);
  return exit_ok;
}

}  // namespace

int run_inbound_command(const config::settings& settings, const std::vector<std::string>& args) {
  if (args.empty() || is_help(args[0])) {
    std::fputs(inbound_help, stdout);
    return args.empty() ? exit_usage : exit_ok;
  }
  if (args[0] == "unknown") return unknown(settings, args);
  return fail(exit_usage, "unknown inbound subcommand '" + args[0] + "'; see banditore inbound --help");
}
