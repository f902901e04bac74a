#include <banditore/config/numbers.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace banditore::config {

namespace {

// A numbers file describes tens of numbers at most; anything far larger is
// not one.
constexpr std::size_t max_file_bytes = 256 * 1024;
constexpr std::size_t max_numbers = 200;
constexpr std::size_t max_towns_per_number = 500;

[[noreturn]] void fail(const std::string& where, const std::string& problem) {
  throw std::invalid_argument(where + " " + problem);
}

bool all_of_chars(std::string_view s, bool (*ok)(char)) {
  return std::all_of(s.begin(), s.end(), ok);
}
bool digit(char c) { return c >= '0' && c <= '9'; }
bool id_char(char c) { return (c >= 'a' && c <= 'z') || digit(c) || c == '-' || c == '_'; }
bool env_char(char c) { return (c >= 'A' && c <= 'Z') || digit(c) || c == '_'; }
bool template_char(char c) { return (c >= 'a' && c <= 'z') || digit(c) || c == '_'; }

const std::string& text_field(const nlohmann::json& o, const std::string& where, const char* key, bool required) {
  static const std::string empty;
  auto it = o.find(key);
  if (it == o.end()) {
    if (required) fail(where, std::string("needs \"") + key + "\"");
    return empty;
  }
  if (!it->is_string()) fail(where + "." + key, "must be a string");
  return it->get_ref<const std::string&>();
}

std::string entry_name(std::size_t i) { return "numbers[" + std::to_string(i) + "]"; }

business_number parse_one(const nlohmann::json& o, std::size_t index) {
  const auto where = entry_name(index);
  if (!o.is_object()) fail(where, "must be an object");
  static const std::set<std::string> known = {"id", "phone_number_id", "token_env", "token_file",
                                              "display_number", "template", "rate", "tier", "portfolio", "towns"};
  for (const auto& [key, value] : o.items())
    if (!known.count(key)) fail(where, "has an unknown field \"" + key + "\" (a typo?)");

  business_number n;
  n.id = text_field(o, where, "id", true);
  if (n.id.empty() || n.id.size() > 32 || !all_of_chars(n.id, id_char))
    fail(where + ".id", "must be 1-32 lower-case letters, digits, - or _");
  {
    // The id names the number in metrics, logs and /readyz, where a phone
    // number must never appear: a name ("lugo"), not digits that could be
    // one (metrics/registry.hpp refuses a run of 8).
    std::size_t run = 0, longest = 0;
    for (char c : n.id) {
      run = digit(c) ? run + 1 : 0;
      longest = std::max(longest, run);
    }
    if (longest >= 8) fail(where + ".id", "must be a name such as \"lugo\", not a number: it labels metrics and logs");
  }
  const auto named = "numbers[" + std::to_string(index) + "] (\"" + n.id + "\")";

  n.phone_number_id = text_field(o, named, "phone_number_id", true);
  if (n.phone_number_id.empty() || n.phone_number_id.size() > 32 || !all_of_chars(n.phone_number_id, digit))
    fail(named + ".phone_number_id", "must be Meta's phone number id: 1-32 digits");

  n.token_env = text_field(o, named, "token_env", false);
  n.token_file = text_field(o, named, "token_file", false);
  if (n.token_env.empty() == n.token_file.empty())
    fail(named, "needs exactly one of \"token_env\" (a variable holding the access token) and \"token_file\"");
  if (!n.token_env.empty() && (n.token_env.size() > 128 || !all_of_chars(n.token_env, env_char) || digit(n.token_env[0])))
    fail(named + ".token_env", "must be a variable name (A-Z, 0-9, _)");
  if (n.token_file.size() > 4096 || n.token_file.find('\0') != std::string::npos)
    fail(named + ".token_file", "must be a path");

  n.display_number = text_field(o, named, "display_number", true);
  {
    std::size_t digits = 0;
    bool ok = n.display_number.size() >= 2 && n.display_number.size() <= 24 && n.display_number[0] == '+';
    for (std::size_t i = 1; ok && i < n.display_number.size(); ++i) {
      const char c = n.display_number[i];
      if (digit(c)) ++digits;
      else if (c != ' ') ok = false;
    }
    if (!ok || digits < 8 || digits > 15)
      fail(named + ".display_number", "must be the number as citizens see it: + and 8-15 digits, spaces allowed");
  }

  if (auto t = o.find("template"); t != o.end()) {
    if (!t->is_object()) fail(named + ".template", "must be an object with \"name\" and \"language\"");
    for (const auto& [key, value] : t->items())
      if (key != "name" && key != "language" && key != "image_name" && key != "document_name")
        fail(named + ".template", "has an unknown field \"" + key + "\"");
    n.template_name = text_field(*t, named + ".template", "name", true);
    if (n.template_name.empty() || n.template_name.size() > 512 || !all_of_chars(n.template_name, template_char))
      fail(named + ".template.name", "must be the template's name in WhatsApp Manager (a-z, 0-9, _)");
    // Twins with a media header (an IMAGE, a DOCUMENT), for alerts with such an attachment.
    for (const auto& [key, into] : {std::pair<const char*, std::string*>{"image_name", &n.template_image_name},
                                    {"document_name", &n.template_document_name}}) {
      if (!t->contains(key)) continue;
      *into = text_field(*t, named + ".template", key, true);
      if (into->empty() || into->size() > 512 || !all_of_chars(*into, template_char))
        fail(named + ".template." + key, "must be the template's name in WhatsApp Manager (a-z, 0-9, _)");
    }
    if (t->contains("language")) n.template_language = text_field(*t, named + ".template", "language", true);
    const auto& l = n.template_language;
    const bool lang_ok = (l.size() == 2 || l.size() == 3 || (l.size() == 5 && l[2] == '_')) &&
                         l[0] >= 'a' && l[0] <= 'z' && l[1] >= 'a' && l[1] <= 'z' &&
                         (l.size() != 5 || (l[3] >= 'A' && l[3] <= 'Z' && l[4] >= 'A' && l[4] <= 'Z'));
    if (!lang_ok) fail(named + ".template.language", "must be a language code such as it or en_US");
  }

  if (auto r = o.find("rate"); r != o.end()) {
    if (!r->is_number()) fail(named + ".rate", "must be a number of messages per second");
    const double v = r->get<double>();
    // Meta: 80 messages/s per business phone number by default, up to
    // 1,000 when upgraded, 20 for a number shared with the Business app
    // (developers.facebook.com/documentation/business-messaging/whatsapp/throughput).
    if (!std::isfinite(v) || v < 0 || v > 1000 || v != std::floor(v))
      fail(named + ".rate", "must be a whole number of messages per second from 0 to 1000");
    n.rate = v;
  }

  if (auto t = o.find("tier"); t != o.end()) {
    if (t->is_string() && *t == "unlimited") n.tier = 0;
    else if (t->is_number_integer() && (*t == 250 || *t == 2000 || *t == 10000 || *t == 100000))
      n.tier = t->get<std::int64_t>();
    else fail(named + ".tier", "must be 250, 2000, 10000, 100000 or \"unlimited\" (Meta's messaging limits)");
  }

  n.portfolio = text_field(o, named, "portfolio", true);
  if (n.portfolio.empty() || n.portfolio.size() > 32 || !all_of_chars(n.portfolio, digit))
    fail(named + ".portfolio", "must be the Meta business portfolio id: 1-32 digits");

  auto towns = o.find("towns");
  if (towns == o.end() || !towns->is_array() || towns->empty())
    fail(named + ".towns", "must be a non-empty array of the town ids this number serves");
  if (towns->size() > max_towns_per_number) fail(named + ".towns", "lists too many towns");
  for (const auto& town : *towns) {
    if (!town.is_string() || town.get_ref<const std::string&>().empty() || town.get_ref<const std::string&>().size() > 64)
      fail(named + ".towns", "must hold town ids (strings of 1-64 characters)");
    const auto& id = town.get_ref<const std::string&>();
    if (std::find(n.towns.begin(), n.towns.end(), id) != n.towns.end())
      fail(named + ".towns", "lists \"" + id + "\" twice");
    n.towns.push_back(id);
  }
  return n;
}

}  // namespace

std::vector<business_number> parse_numbers(std::string_view json_text) {
  if (json_text.size() > max_file_bytes) fail("the numbers file", "is larger than 256 KiB");
  auto doc = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (doc.is_discarded()) fail("the numbers file", "is not valid JSON");
  if (!doc.is_object() || !doc.contains("numbers"))
    fail("the numbers file", "must be a JSON object with a \"numbers\" array");
  for (const auto& [key, value] : doc.items())
    if (key != "numbers") fail("the numbers file", "has an unknown field \"" + key + "\"");
  const auto& list = doc["numbers"];
  if (!list.is_array() || list.empty()) fail("numbers", "must be a non-empty array");
  if (list.size() > max_numbers) fail("numbers", "lists more than 200 numbers");

  std::vector<business_number> out;
  std::map<std::string, std::string> town_owner;       // town -> number id
  std::map<std::string, std::int64_t> portfolio_tier;  // portfolio -> tier
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto n = parse_one(list[i], i);
    const auto named = entry_name(i) + " (\"" + n.id + "\")";
    for (const auto& other : out) {
      if (other.id == n.id) fail(named + ".id", "is used by another number too");
      if (other.phone_number_id == n.phone_number_id)
        fail(named + ".phone_number_id", "is also the phone_number_id of \"" + other.id + "\"");
    }
    for (const auto& town : n.towns) {
      auto [it, inserted] = town_owner.emplace(town, n.id);
      if (!inserted)
        fail(named + ".towns", "lists \"" + town + "\", already served by \"" + it->second +
                                   "\": a town has one number");
    }
    // Meta counts the messaging limit per business portfolio since 7 October
    // 2025, shared by all its numbers (developers.facebook.com/documentation/
    // business-messaging/whatsapp/messaging-limits): two tiers for one
    // portfolio cannot both be right.
    auto [tier, first] = portfolio_tier.emplace(n.portfolio, n.tier);
    if (!first && tier->second != n.tier)
      fail(named + ".tier", "differs from the tier of another number of portfolio " + n.portfolio +
                                ": numbers of one portfolio share one messaging limit");
    out.push_back(std::move(n));
  }
  return out;
}

void load_number_tokens(std::vector<business_number>& numbers, const number_env& env) {
  for (auto& n : numbers) {
    if (!n.token_env.empty()) {
      auto v = env(n.token_env);
      if (!v || v->empty()) throw std::invalid_argument("number \"" + n.id + "\": its token variable " + n.token_env + " is not set");
      n.token = *v;
    } else {
      std::ifstream in(n.token_file, std::ios::binary);
      if (!in) throw std::invalid_argument("number \"" + n.id + "\": cannot read its token file " + n.token_file);
      std::ostringstream text;
      text << in.rdbuf();
      n.token = text.str();
      while (!n.token.empty() && (n.token.back() == '\n' || n.token.back() == '\r')) n.token.pop_back();
      if (n.token.empty()) throw std::invalid_argument("number \"" + n.id + "\": its token file " + n.token_file + " is empty");
    }
    if (n.token.find_first_of(" \t\r\n") != std::string::npos)
      throw std::invalid_argument("number \"" + n.id + "\": its token holds spaces or line breaks");
  }
}

void check_number_towns(const std::vector<business_number>& numbers, const std::vector<std::string>& known_towns) {
  for (const auto& n : numbers)
    for (const auto& town : n.towns)
      if (std::find(known_towns.begin(), known_towns.end(), town) == known_towns.end())
        throw std::invalid_argument("number \"" + n.id + "\" serves the town \"" + town +
                                    "\", which is not among the deployment's towns (banditore towns list)");
}

const business_number& number_for_town(const std::vector<business_number>& numbers, std::string_view town_id) {
  for (const auto& n : numbers)
    if (std::find(n.towns.begin(), n.towns.end(), town_id) != n.towns.end()) return n;
  return numbers.front();
}

const business_number* number_by_phone_id(const std::vector<business_number>& numbers,
                                          std::string_view phone_number_id) {
  for (const auto& n : numbers)
    if (n.phone_number_id == phone_number_id) return &n;
  return nullptr;
}

}  // namespace banditore::config
