#include <banditore/domain/message_model.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace banditore::domain;

namespace {
constexpr std::string_view water = "Interruzione idrica in via ___ dalle ___ alle ___";
}

TEST_CASE("a model's blanks are runs of three or more underscores") {
  CHECK(count_blanks(water) == 3);
  CHECK(count_blanks("via_roma __ nulla") == 0);
  CHECK(count_blanks("______ e ___") == 2);
  CHECK(count_blanks("") == 0);
  CHECK(has_blank("ancora ___"));
}

TEST_CASE("the blanks are filled in order") {
  const auto filled = fill_blanks(water, {"Roma", "9", "13"});
  REQUIRE(filled.text);
  CHECK(*filled.text == "Interruzione idrica in via Roma dalle 9 alle 13");
  CHECK(fill_blanks("_____ fine", {"Inizio"}).text == "Inizio fine");
  CHECK(fill_blanks("nessuno spazio", {}).text == "nessuno spazio");
}

TEST_CASE("a draft that would still hold a blank is refused, with the reason in Italian") {
  auto r = fill_blanks(water, {"Roma", "9"});
  CHECK_FALSE(r.text);
  CHECK(r.reason == "il modello ha 3 spazi da compilare, ne sono stati dati 2");
  r = fill_blanks(water, {"Roma", "  ", "13"});
  CHECK_FALSE(r.text);
  CHECK(r.reason == "lo spazio 2 è vuoto");
  r = fill_blanks(water, {"Roma", "___", "13"});
  CHECK_FALSE(r.text);
  CHECK(r.reason == "lo spazio 2 contiene ancora ___");
  CHECK_FALSE(fill_blanks(water, {"Roma", "9", "13", "in più"}).text);
}

TEST_CASE("values with underscores of their own, fewer than three, are kept") {
  CHECK(fill_blanks("file ___", {"via_roma__2"}).text == "file via_roma__2");
}

TEST_CASE("a model body needs a one-line name and a text; category and severity default to other and minor") {
  const auto ok = validate_model(nlohmann::json::parse(R"({"name":"Acqua","text":"Via ___ senz'acqua"})"));
  REQUIRE(ok.model);
  CHECK(ok.model->name == "Acqua");
  CHECK(ok.model->category == "other");
  CHECK(ok.model->severity == "minor");
  const auto full = validate_model(nlohmann::json::parse(
      R"({"name":"Acqua","text":"Via ___","category":"water","severity":"severe"})"));
  REQUIRE(full.model);
  CHECK(full.model->category == "water");
  CHECK(full.model->severity == "severe");
}

TEST_CASE("a model body is refused field by field: missing, blank, too long, two lines, unknown values and fields") {
  auto fields_of = [](const char* body) {
    std::vector<std::string> out;
    for (const auto& e : validate_model(nlohmann::json::parse(body)).errors) out.push_back(e.field);
    return out;
  };
  CHECK(fields_of(R"({})") == std::vector<std::string>{"name", "text"});
  CHECK(fields_of(R"({"name":"  ","text":"x"})") == std::vector<std::string>{"name"});
  CHECK(fields_of(R"({"name":"a\nb","text":"x"})") == std::vector<std::string>{"name"});
  CHECK(fields_of(R"({"name":"a","text":"x","category":"fire","severity":"huge"})") ==
        std::vector<std::string>{"category", "severity"});
  CHECK(fields_of(R"({"name":"a","text":"x","colour":"red"})") == std::vector<std::string>{"colour"});
  CHECK(fields_of(R"({"name":1,"text":"x"})") == std::vector<std::string>{"name"});
  const std::string long_name = R"({"name":")" + std::string(max_model_name + 1, 'a') + R"(","text":"x"})";
  CHECK(fields_of(long_name.c_str()) == std::vector<std::string>{"name"});
  CHECK_FALSE(validate_model(nlohmann::json::array()).model);
}

TEST_CASE("fill values are an array of strings in order; anything else names the value refused") {
  const auto ok = read_fill_values(nlohmann::json::parse(R"({"values":["Roma","9"]})"));
  REQUIRE(ok.values);
  CHECK(*ok.values == std::vector<std::string>{"Roma", "9"});
  const auto bad = read_fill_values(nlohmann::json::parse(R"({"values":["Roma",9]})"));
  CHECK_FALSE(bad.values);
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].field == "values[1]");
  CHECK_FALSE(read_fill_values(nlohmann::json::parse(R"({"values":"Roma"})")).values);
  CHECK_FALSE(read_fill_values(nlohmann::json::parse(R"({"values":[],"extra":1})")).values);
}
