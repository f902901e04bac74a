#include <banditore/app/live_settings.hpp>

#include <banditore/config/effective_settings.hpp>
#include <banditore/log/log.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace banditore::app {

namespace asio = boost::asio;

namespace {

const config::setting_doc* doc_of(const std::vector<config::setting_doc>& docs, const std::string& name) {
  auto it = std::find_if(docs.begin(), docs.end(), [&name](const config::setting_doc& d) { return d.name == name; });
  return it == docs.end() ? nullptr : &*it;
}

}  // namespace

live_settings::live_settings(config::env_lookup environment, store::setting_overrides& store)
    : environment_(std::move(environment)),
      store_(store),
      policy_(config::runtime_policy_from(environment_)) {}

std::string live_settings::without_override(const std::string& name) const {
  if (auto v = environment_(name)) return *v;
  const auto docs = config::all_documented_settings();
  const auto* d = doc_of(docs, name);
  return d ? d->default_value : std::string();
}

void live_settings::load() {
  auto stored = store_.setting_overrides_now();
  std::vector<store::setting_override> usable;
  for (auto& o : stored) {
    auto problem = config::runtime_value_problem(o.name, o.value);
    if (!problem.empty()) {
      log::warn("setting.override_ignored", {{"setting", o.name}, {"reason", problem}, {"changed_by", o.changed_by}});
      continue;
    }
    log::info("setting.override", {{"setting", o.name}, {"value", o.value}, {"changed_by", o.changed_by}});
    usable.push_back(std::move(o));
  }
  apply(usable, 0);
}

void live_settings::apply(const std::vector<store::setting_override>& overrides, std::int64_t sequence) {
  std::map<std::string, std::string> values;
  for (const auto& o : overrides)
    if (config::runtime_value_problem(o.name, o.value).empty()) values[o.name] = o.value;
  std::lock_guard lock(apply_mutex_);
  // Two changes answered out of order: the later one's list stands.
  if (sequence != 0 && sequence < applied_sequence_) return;
  applied_sequence_ = std::max(applied_sequence_, sequence);
  auto next = config::runtime_policy_from(config::with_overrides(environment_, std::move(values)));
  policy_.set(std::make_shared<const config::runtime_policy>(std::move(next)));
}

std::vector<live_setting> live_settings::describe(const std::vector<store::setting_override>& overrides) const {
  const auto docs = config::all_documented_settings();
  std::vector<live_setting> out;
  for (const auto& name : config::runtime_setting_names()) {
    live_setting s;
    s.name = name;
    const auto env = environment_(name);
    s.environment_set = env.has_value();
    s.environment_value = without_override(name);
    if (const auto* d = doc_of(docs, name)) s.meaning = d->meaning;
    auto o = std::find_if(overrides.begin(), overrides.end(), [&name](const store::setting_override& x) {
      return x.name == name && config::runtime_value_problem(x.name, x.value).empty();
    });
    if (o != overrides.end()) {
      s.value = o->value;
      s.origin = "console";
      s.changed_by = o->changed_by;
      s.changed_at = o->changed_at;
    } else {
      s.value = s.environment_value;
      s.origin = s.environment_set ? "environment" : "default";
    }
    out.push_back(std::move(s));
  }
  return out;
}

asio::awaitable<std::vector<live_setting>> live_settings::list() {
  const auto overrides = co_await store_.setting_override_list();
  co_return describe(overrides);
}

asio::awaitable<live_change> live_settings::change(std::string name, std::optional<std::string> value,
                                                   std::string actor, std::int64_t now_ms) {
  live_change out;
  if (!config::is_runtime_setting(name)) {
    out.outcome = live_change_outcome::unknown_name;
    co_return out;
  }
  if (value) {
    out.problem = config::runtime_value_problem(name, *value);
    if (!out.problem.empty()) {
      out.outcome = live_change_outcome::invalid;
      co_return out;
    }
  }
  store::setting_change c{name, value, without_override(name), actor, now_ms};
  const auto result = co_await store_.change_setting(std::move(c));
  out.old_value = result.old_value;
  out.new_value = value.value_or(without_override(name));
  if (!result.changed) co_return out;
  apply(result.overrides, result.sequence);
  out.outcome = live_change_outcome::changed;
  log::info(value ? "setting.changed" : "setting.reset",
            {{"setting", name}, {"old", out.old_value}, {"new", out.new_value}, {"by", actor}});
  co_return out;
}

}  // namespace banditore::app
