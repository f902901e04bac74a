// The WhatsApp business numbers a deployment sends and receives on. One
// deployment may hold several (a union of towns where each town has its
// own number), declared in a JSON file named by BANDITORE_NUMBERS_FILE;
// without it the deployment's one number (BANDITORE_WA_*) serves every
// town, as it always has. Read and checked once, at start-up. Each number
// has its own throughput (Meta: per business phone number) and 24-hour
// windows; the messaging limit is its business portfolio's.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::config {

struct business_number {
  std::string id;               // the deployment's name for it: "lugo"
  std::string phone_number_id;  // Meta's id of the number (the path of every send)
  std::string token_env;        // where its access token is: a variable ...
  std::string token_file;       // ... or a file (exactly one of the two)
  std::string token;            // the token itself, once load_number_tokens read it; never logged
  std::string display_number;   // as citizens see it: "+39 0545 38111"
  std::string template_name;    // approved template for broadcasts outside the window; empty: none
  // Its twins approved with an IMAGE or DOCUMENT header, for alerts with
  // such an attachment; empty: they go as template_name, without it.
  std::string template_image_name, template_document_name;
  std::string template_language = "it";
  double rate = 80;             // messages per second allowed to this number; 0 = unpaced (simulator only)
  std::int64_t tier = 250;      // its portfolio's messaging limit; 0 = unlimited
  std::string portfolio;        // Meta business portfolio id: numbers of one portfolio share one limit
  std::vector<std::string> towns;  // town ids it serves
};

// Parses the numbers file's text and checks everything that needs no
// database: the shape, each field, and the rules across numbers (an id or
// phone_number_id twice, a town on two numbers, numbers of one portfolio
// declaring different tiers). Throws std::invalid_argument with a message
// naming the entry and field ("numbers[1].tier must be ...") and never a
// token.
std::vector<business_number> parse_numbers(std::string_view json_text);

// Reads each number's token from its variable or file. Throws
// std::invalid_argument naming the number and where the token was looked
// for, never its value.
using number_env = std::function<std::optional<std::string>(const std::string& name)>;
void load_number_tokens(std::vector<business_number>& numbers, const number_env& env);

// The towns named by the numbers must exist in the deployment's catalogue;
// throws std::invalid_argument naming the first unknown one.
void check_number_towns(const std::vector<business_number>& numbers, const std::vector<std::string>& known_towns);

// The number that serves a town: the one listing it, otherwise the first
// (the deployment's own, which also carries towns listed nowhere).
const business_number& number_for_town(const std::vector<business_number>& numbers, std::string_view town_id);

// The number a webhook notification was addressed to, by Meta's
// phone_number_id; nullptr for one not configured here.
const business_number* number_by_phone_id(const std::vector<business_number>& numbers,
                                          std::string_view phone_number_id);

}  // namespace banditore::config
