#include <banditore/config/numbers.hpp>

#include <banditore/config/settings.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>

using namespace banditore::config;

namespace {

const char* two_numbers = R"({"numbers": [
  {"id": "lugo", "phone_number_id": "1111", "token_env": "LUGO_TOKEN", "display_number": "+39 0545 38111",
   "template": {"name": "avviso_comune", "language": "it"}, "rate": 80, "tier": 2000,
   "portfolio": "900", "towns": ["lugo", "cotignola"]},
  {"id": "bagnacavallo", "phone_number_id": "2222", "token_file": "/run/secrets/bagna", "display_number": "+390545280811",
   "rate": 20, "tier": 2000, "portfolio": "900", "towns": ["bagnacavallo"]}
]})";

// The message of what parse_numbers throws for text, or "" when it parses.
std::string refusal(const std::string& text) {
  try {
    parse_numbers(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}

// two_numbers with one field of the first number replaced by a JSON value.
std::string with_first(const std::string& field, const std::string& value) {
  std::string base = R"({"numbers": [{"id": "lugo", "phone_number_id": "1111", "token_env": "LUGO_TOKEN",
    "display_number": "+39 0545 38111", "portfolio": "900", "towns": ["lugo"]}]})";
  const auto key = "\"" + field + "\": ";
  if (auto at = base.find(key); at != std::string::npos) {
    const auto start = at + key.size();
    auto end = base.find_first_of(",}", start);
    if (base[start] == '[') end = base.find(']', start) + 1;
    return base.replace(start, end - start, value);
  }
  return base.insert(base.find('{', 1) + 1, key + value + ", ");
}

}  // namespace

TEST_CASE("a numbers file declares each number with its towns, rate, tier, template and portfolio") {
  auto numbers = parse_numbers(two_numbers);
  REQUIRE(numbers.size() == 2);
  CHECK(numbers[0].id == "lugo");
  CHECK(numbers[0].phone_number_id == "1111");
  CHECK(numbers[0].token_env == "LUGO_TOKEN");
  CHECK(numbers[0].token.empty());  // read apart, by load_number_tokens
  CHECK(numbers[0].display_number == "+39 0545 38111");
  CHECK(numbers[0].template_name == "avviso_comune");
  CHECK(numbers[0].rate == 80);
  CHECK(numbers[0].tier == 2000);
  CHECK(numbers[0].portfolio == "900");
  CHECK(numbers[0].towns == std::vector<std::string>{"lugo", "cotignola"});
  CHECK(numbers[1].token_file == "/run/secrets/bagna");
  CHECK(numbers[1].template_name.empty());
  CHECK(numbers[1].rate == 20);
  CHECK(&number_for_town(numbers, "bagnacavallo") == &numbers[1]);
  CHECK(&number_for_town(numbers, "cotignola") == &numbers[0]);
  CHECK(&number_for_town(numbers, "fusignano") == &numbers[0]);  // listed nowhere: the first number's
  CHECK(number_by_phone_id(numbers, "2222") == &numbers[1]);
  CHECK(number_by_phone_id(numbers, "3333") == nullptr);
}

TEST_CASE("the defaults of a number are Meta's: 80 messages a second, tier 250, template in Italian") {
  auto numbers = parse_numbers(with_first("template", R"({"name": "avviso"})"));
  CHECK(numbers[0].rate == 80);
  CHECK(numbers[0].tier == 250);
  CHECK(numbers[0].template_language == "it");
  CHECK(parse_numbers(with_first("tier", R"("unlimited")"))[0].tier == 0);
}

TEST_CASE("a malformed numbers file is refused naming the entry and the field") {
  CHECK(refusal("") == "the numbers file is not valid JSON");
  CHECK(refusal("[]") == "the numbers file must be a JSON object with a \"numbers\" array");
  CHECK(refusal(R"({"numbers": []})") == "numbers must be a non-empty array");
  CHECK(refusal(R"({"numbers": [], "extra": 1})") == "the numbers file has an unknown field \"extra\"");
  CHECK(refusal(R"({"numbers": [3]})") == "numbers[0] must be an object");
  CHECK(refusal(with_first("tier", "300")) ==
        "numbers[0] (\"lugo\").tier must be 250, 2000, 10000, 100000 or \"unlimited\" (Meta's messaging limits)");
  CHECK(refusal(with_first("tier", R"("2000")")).find(".tier must be") != std::string::npos);
  CHECK(refusal(with_first("rate", "1001")) ==
        "numbers[0] (\"lugo\").rate must be a whole number of messages per second from 0 to 1000");
  CHECK(refusal(with_first("rate", "-1")).find(".rate must be") != std::string::npos);
  CHECK(refusal(with_first("rate", "2.5")).find(".rate must be") != std::string::npos);
  CHECK(refusal(with_first("phone_number_id", R"("12a")")) ==
        "numbers[0] (\"lugo\").phone_number_id must be Meta's phone number id: 1-32 digits");
  CHECK(refusal(with_first("id", R"("Lugo")")) == "numbers[0].id must be 1-32 lower-case letters, digits, - or _");
  // The id labels metrics and logs: never digits that could be the number.
  CHECK(refusal(with_first("id", R"("n-390545381")")) ==
        "numbers[0].id must be a name such as \"lugo\", not a number: it labels metrics and logs");
  CHECK(refusal(with_first("id", R"("lugo-2")")).empty());
  CHECK(refusal(with_first("display_number", R"("0545 38111")")).find(".display_number must be") != std::string::npos);
  CHECK(refusal(with_first("portfolio", R"("")")).find(".portfolio must be") != std::string::npos);
  CHECK(refusal(with_first("towns", "[]")).find(".towns must be a non-empty array") != std::string::npos);
  CHECK(refusal(with_first("towns", R"(["lugo", "lugo"])")) == "numbers[0] (\"lugo\").towns lists \"lugo\" twice");
  CHECK(refusal(with_first("towns", "[1]")).find(".towns must hold town ids") != std::string::npos);
  CHECK(refusal(with_first("template", R"({"name": "Avviso"})")).find(".template.name must be") != std::string::npos);
  CHECK(refusal(with_first("template", R"({"name": "a", "language": "italiano"})")).find(".template.language") !=
        std::string::npos);
  CHECK(refusal(with_first("toke_env", R"("X")")) == "numbers[0] has an unknown field \"toke_env\" (a typo?)");
  CHECK(refusal(with_first("token_file", R"("/x")")) ==
        "numbers[0] (\"lugo\") needs exactly one of \"token_env\" (a variable holding the access token) and "
        "\"token_file\"");
  CHECK(refusal(with_first("token_env", R"("lugo token")")).find(".token_env must be") != std::string::npos);
}

TEST_CASE("numbers that clash are refused: a town on two numbers, an id or phone_number_id twice, one portfolio with two tiers") {
  std::string clash = two_numbers;
  clash.replace(clash.find("[\"bagnacavallo\"]"), 16, "[\"cotignola\"]");
  CHECK(refusal(clash) == "numbers[1] (\"bagnacavallo\").towns lists \"cotignola\", already served by \"lugo\": a town "
                          "has one number");
  std::string same_phone = two_numbers;
  same_phone.replace(same_phone.find("\"2222\""), 6, "\"1111\"");
  CHECK(refusal(same_phone) == "numbers[1] (\"bagnacavallo\").phone_number_id is also the phone_number_id of \"lugo\"");
  std::string same_id = two_numbers;
  same_id.replace(same_id.find("\"id\": \"bagnacavallo\""), 20, "\"id\": \"lugo\"");
  CHECK(refusal(same_id) == "numbers[1] (\"lugo\").id is used by another number too");
  std::string tiers = two_numbers;
  tiers.replace(tiers.rfind("\"tier\": 2000"), 12, "\"tier\": 10000");
  CHECK(refusal(tiers) == "numbers[1] (\"bagnacavallo\").tier differs from the tier of another number of portfolio "
                          "900: numbers of one portfolio share one messaging limit");
  std::string portfolios = tiers;
  portfolios.replace(portfolios.rfind("\"900\""), 5, "\"901\"");
  CHECK(refusal(portfolios).empty());  // another portfolio, another limit
}

TEST_CASE("a number's town must be one of the deployment's towns") {
  auto numbers = parse_numbers(two_numbers);
  CHECK_NOTHROW(check_number_towns(numbers, {"lugo", "cotignola", "bagnacavallo", "fusignano"}));
  try {
    check_number_towns(numbers, {"lugo", "bagnacavallo"});
    FAIL("an unknown town was accepted");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) == "number \"lugo\" serves the town \"cotignola\", which is not among the deployment's "
                                   "towns (banditore towns list)");
  }
}

TEST_CASE("tokens come from their variable or file and are never quoted in an error") {
  auto path = std::filesystem::temp_directory_path() / "banditore-numbers-test-token";
  auto numbers = parse_numbers(two_numbers);
  numbers[1].token_file = path.string();
  std::ofstream(path) << "EAAB-secret-2\n";
  std::map<std::string, std::string> vars = {{"LUGO_TOKEN", "EAAB-secret-1"}};
  auto env = [&vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  load_number_tokens(numbers, env);
  CHECK(numbers[0].token == "EAAB-secret-1");
  CHECK(numbers[1].token == "EAAB-secret-2");

  vars.clear();
  CHECK_THROWS_WITH(load_number_tokens(numbers, env), "number \"lugo\": its token variable LUGO_TOKEN is not set");
  vars = {{"LUGO_TOKEN", "EAAB secret"}};
  try {
    load_number_tokens(numbers, env);
    FAIL("a token with a space was accepted");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("EAAB") == std::string::npos);
  }
  std::filesystem::remove(path);
}

TEST_CASE("the numbers file is read through BANDITORE_NUMBERS_FILE; without it the one number serves every town") {
  auto single = from_environment([](const std::string& name) -> std::optional<std::string> {
    if (name == "BANDITORE_WA_PHONE_NUMBER_ID") return "555";
    if (name == "BANDITORE_WA_TOKEN") return "tok";
    if (name == "BANDITORE_WA_RATE") return "40";
    return std::nullopt;
  });
  auto one = serving_numbers(single);
  REQUIRE(one.size() == 1);
  CHECK(one[0].phone_number_id == "555");
  CHECK(one[0].token == "tok");
  CHECK(one[0].rate == 40);
  CHECK(one[0].towns.empty());

  auto path = std::filesystem::temp_directory_path() / "banditore-numbers-test.json";
  std::ofstream(path) << two_numbers;
  auto token = std::filesystem::temp_directory_path() / "banditore-numbers-test-bagna";
  std::ofstream(token) << "t2";
  std::string text = two_numbers;
  text.replace(text.find("/run/secrets/bagna"), 18, token.string());
  std::ofstream(path, std::ios::trunc) << text;
  std::map<std::string, std::string> vars = {{"BANDITORE_NUMBERS_FILE", path.string()}, {"LUGO_TOKEN", "t1"}};
  auto env = [&vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  auto s = from_environment(env);
  CHECK(serving_numbers(s).size() == 2);
  CHECK(s.numbers[1].token == "t2");
  CHECK(missing_for_serve(s).size() == 2);  // the app secret and verify token only

  vars["BANDITORE_WA_PHONE_NUMBER_ID"] = "555";
  CHECK_THROWS_WITH_AS(from_environment(env), doctest::Contains("are both set"), std::invalid_argument);
  vars.erase("BANDITORE_WA_PHONE_NUMBER_ID");
  std::ofstream(path, std::ios::trunc) << R"({"numbers": [{"id": "x"}]})";
  CHECK_THROWS_WITH_AS(from_environment(env), doctest::Contains("BANDITORE_NUMBERS_FILE: numbers[0] (\"x\") needs"),
                       std::invalid_argument);
  std::filesystem::remove(path);
  std::filesystem::remove(token);
}
