#include <banditore/config/runtime_settings.hpp>

#include <banditore/config/config_error.hpp>
#include <banditore/config/effective_settings.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

using namespace banditore;
using namespace banditore::config;

namespace {
env_lookup from(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}
}  // namespace

TEST_CASE("run-time settings: only policies, each one a documented setting, never a secret") {
  const auto docs = all_documented_settings();
  for (const auto& name : runtime_setting_names()) {
    CAPTURE(name);
    auto it = std::find_if(docs.begin(), docs.end(), [&name](const setting_doc& d) { return d.name == name; });
    REQUIRE(it != docs.end());
    CHECK_FALSE(it->secret);
  }
  CHECK(is_runtime_setting("BANDITORE_APPROVAL_RULE"));
  CHECK(is_runtime_setting("BANDITORE_CAP_DECISION"));
  CHECK(is_runtime_setting("BANDITORE_QUIET_HOURS"));
  for (const char* fixed : {"BANDITORE_WA_TOKEN", "BANDITORE_LISTEN", "BANDITORE_DB", "BANDITORE_WA_RATE",
                            "BANDITORE_KEY_FILE", "BANDITORE_WA_API_BASE", "BANDITORE_NUMBERS_FILE"})
    CHECK_FALSE(is_runtime_setting(fixed));
}

TEST_CASE("run-time settings: a value is checked by the environment's reader and refused with the variable and why") {
  CHECK(runtime_value_problem("BANDITORE_APPROVAL_RULE", "severity>=severe") == "");
  CHECK(runtime_value_problem("BANDITORE_APPROVAL_RULE", "all") == "");
  CHECK(runtime_value_problem("BANDITORE_CAP_DECISION", "hold") == "");
  CHECK(runtime_value_problem("BANDITORE_QUIET_HOURS", "22:00-07:00") == "");
  CHECK(runtime_value_problem("BANDITORE_QUIET_HOURS", "") == "");  // none, as an empty variable

  const auto rule = runtime_value_problem("BANDITORE_APPROVAL_RULE", "category=lava");
  CHECK(rule.find("BANDITORE_APPROVAL_RULE") == 0);
  CHECK(rule.find("'lava' is not a category") != std::string::npos);
  // The same words as the start-up's refusal of the same value.
  try {
    (void)runtime_policy_from(from({{"BANDITORE_APPROVAL_RULE", "category=lava"}}));
    FAIL("category=lava was read");
  } catch (const config_error& e) {
    CHECK(rule == e.what());
  }
  CHECK(runtime_value_problem("BANDITORE_CAP_DECISION", "later") ==
        "BANDITORE_CAP_DECISION: must be auto or hold, got 'later'");
  CHECK(runtime_value_problem("BANDITORE_QUIET_HOURS", "22-7").find("BANDITORE_QUIET_HOURS: ") == 0);
  CHECK(runtime_value_problem("BANDITORE_QUIET_HOURS", "07:00-07:00").find("same time") != std::string::npos);
  CHECK(runtime_value_problem("BANDITORE_APPROVAL_RULE", "all\nnone").find("control") != std::string::npos);
  CHECK(runtime_value_problem("BANDITORE_APPROVAL_RULE", std::string(1001, 'a')).find("1000") != std::string::npos);
  CHECK(runtime_value_problem("BANDITORE_WA_TOKEN", "x").find("not a setting that can change") != std::string::npos);
}

TEST_CASE("run-time settings: an override stands above the environment's value, the rest read through") {
  const auto env = from({{"BANDITORE_APPROVAL_RULE", "none"}, {"BANDITORE_QUIET_HOURS", "22:00-07:00"}});
  const auto base = runtime_policy_from(env);
  CHECK(base.approval.text() == "none");
  CHECK_FALSE(base.hold_cap);
  REQUIRE(base.quiet_hours);
  CHECK(*base.quiet_hours == std::make_pair(22 * 60, 7 * 60));

  const auto over = runtime_policy_from(
      with_overrides(env, {{"BANDITORE_APPROVAL_RULE", "category=water"}, {"BANDITORE_CAP_DECISION", "hold"},
                           {"BANDITORE_QUIET_HOURS", ""}}));
  CHECK(over.approval.needs_approval("water", domain::severity::minor));
  CHECK_FALSE(over.approval.needs_approval("roads", domain::severity::extreme));
  CHECK(over.hold_cap);
  CHECK_FALSE(over.quiet_hours);  // an empty value: no quiet hours
}

TEST_CASE("run-time settings: readers keep the snapshot they took while another is swapped in") {
  runtime_policy_holder holder(runtime_policy_from(from({})));
  const auto before = holder.get();
  std::atomic<bool> stop{false};
  std::atomic<long> reads{0};
  std::atomic<bool> mixed{false};  // doctest's checks are for the test's own thread
  // Readers on other threads see either whole snapshot, never a mix.
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i)
    readers.emplace_back([&] {
      while (!stop) {
        const auto p = holder.get();
        const bool all = p->approval.text() == "all";
        if (all != p->hold_cap) mixed = true;
        ++reads;
      }
    });
  // Swapping goes on until the readers have read while it did: on a
  // loaded machine they may not run at all during the first 200 swaps.
  for (int i = 0; i < 200 || reads < 1000; ++i) {
    runtime_policy next = runtime_policy_from(from({}));
    if (i % 2 == 0) next = runtime_policy_from(from({{"BANDITORE_APPROVAL_RULE", "all"}, {"BANDITORE_CAP_DECISION", "hold"}}));
    holder.set(std::make_shared<const runtime_policy>(std::move(next)));
  }
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(reads > 0);
  CHECK_FALSE(mixed);
  CHECK(before->approval.text() == "none");  // the snapshot taken first is unchanged
}
