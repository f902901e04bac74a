// A citizen's WhatsApp text, any bytes Meta relays: classify_command must
// fold it, keep its normalised form short and free of phone numbers (it is
// recorded), and not care about ASCII letter case.
#include "check.hpp"

#include <banditore/domain/audience.hpp>
#include <banditore/domain/commands.hpp>
#include <banditore/domain/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <string>
#include <vector>

namespace {

// Digits with the separators people type inside a number taken away, so
// "333 123-4567" shows as the digit run it is.
std::string digits_joined(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '-' && c != '.') out.push_back(c);
  return out;
}

// A union of two towns with frazioni of several words, and the default
// topics: every name a reading returns must be one of these.
const banditore::domain::audience_catalogue& catalogue() {
  static const auto c = [] {
    banditore::domain::audience_catalogue c;
    c.towns = {{"lugo", "Comune di Lugo", {}, ""}, {"santagata", "Comune di Sant'Agata sul Santerno", {}, ""}};
    c.areas = {{"fabriago", "lugo", "Santa Maria in Fabriago", {}}, {"voltana", "lugo", "Voltana", {}}};
    c.topics = banditore::domain::default_topics();
    return c;
  }();
  return c;
}

template <class T>
bool known(const std::vector<std::string>& ids, const std::vector<T>& things) {
  return std::all_of(ids.begin(), ids.end(), [&](const std::string& id) {
    return std::any_of(things.begin(), things.end(), [&](const T& t) { return t.id == id; });
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace banditore;
  using fuzz::require;
  const auto text = fuzz::bytes(data, size);
  const auto m = domain::classify_command(text);
  require(m.normalised.size() <= 80, "the normalised text has at most 80 bytes");
  require(domain::utf8::count_code_points(m.normalised).has_value(), "the normalised text is valid UTF-8");
  require(!fuzz::has_digit_run(digits_joined(m.normalised), 5), "the normalised text holds no run of 5 digits");
  // A request (subscribe, unsubscribe, info) names the word it was read
  // from; a text read as no request, or as only probably one, may still
  // carry the word it hesitated on ("non attiva").
  const bool request = m.kind == domain::command::subscribe || m.kind == domain::command::unsubscribe ||
                       m.kind == domain::command::info;
  if (request) require(!m.keyword.empty(), "a request has its keyword");
  if (m.conflicting) require(m.kind == domain::command::unclear, "conflicting words are no request");

  std::string upper(text);
  for (auto& c : upper)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  require(domain::classify_command(upper).kind == m.kind, "ASCII letter case does not change the command");

  static const domain::audience_reader reader(catalogue());
  const auto a = reader.read(text);
  require(known(a.towns, catalogue().towns) && known(a.areas, catalogue().areas) && known(a.topics, catalogue().topics),
          "a reading names only what the catalogue has");
  require(a.command.normalised == m.normalised, "the recorded text is the whole message's");
  if (a.action == domain::audience_action::join || a.action == domain::audience_action::leave)
    require(a.command.kind == (a.action == domain::audience_action::join ? domain::command::subscribe
                                                                         : domain::command::unsubscribe),
            "a choice to join or leave is a request to join or leave");
  require(!(a.only_severe && a.everything), "the floor and everything are never both chosen");
  return 0;
}
