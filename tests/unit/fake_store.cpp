#include "fake_store.hpp"

#include <banditore/crypto/password.hpp>
#include <banditore/domain/draft_decision.hpp>

#include <algorithm>
#include <cctype>
#include <utility>
#include <stdexcept>

namespace banditore::testing {

namespace asio = boost::asio;

std::string fake_store::add_key(std::string name, std::vector<std::string> scopes, bool revoked,
                                std::vector<std::string> towns) {
  store::key_info k;
  k.towns = std::move(towns);
  k.id = next_key_id_++;
  k.name = std::move(name);
  k.scopes = std::move(scopes);
  if (revoked) k.revoked_at = 1;
  std::string token = "bnd_" + std::string(80, static_cast<char>('0' + k.id % 10));
  keys_[token] = k;
  return token;
}

std::int64_t fake_store::add_subscriber() {
  subscribers_.push_back(next_subscriber_id_);
  return next_subscriber_id_++;
}

std::int64_t fake_store::queue(store::outbox_item item, std::int64_t not_before) {
  item.id = next_outbox_id_++;
  row r;
  r.item = std::move(item);
  r.not_before = not_before;
  const auto id = r.item.id;
  outbox[id] = std::move(r);
  return id;
}

std::optional<store::alert_report> fake_store::report_now(std::int64_t id) const {
  auto a = alert_rows.find(id);
  if (a == alert_rows.end()) return std::nullopt;
  store::alert_report r;
  r.alert = a->second;
  for (const auto& [_, o] : outbox)
    if (o.item.alert_id == id) r.counts.add(o.state, 1);
  return r;
}

asio::awaitable<store::created_alert> fake_store::create(store::new_alert a, store::actor who, std::int64_t tier,
                                                         std::int64_t now) {
  store::created_alert out;
  if (!a.idempotency_key.empty()) {
    if (auto it = idempotency_.find(a.idempotency_key); it != idempotency_.end()) {
      out.result.id = it->second.alert_id;
      out.result.outcome = it->second.request_hash == a.request_hash ? store::create_outcome::replayed
                                                                     : store::create_outcome::conflict;
      if (out.result.outcome == store::create_outcome::replayed) out.report = report_now(out.result.id);
      co_return out;
    }
  }
  if (a.updates && !alert_rows.contains(*a.updates)) {
    out.result = {store::create_outcome::update_unknown, *a.updates};
    co_return out;
  }
  if (a.duplicate_since > 0) {
    for (const auto& [id, r] : alert_rows) {
      if (r.created_at >= a.duplicate_since && r.state != "cancelled" && r.title == a.draft.title &&
          r.text == a.draft.text && r.audience == a.audience) {
        out.result = {store::create_outcome::duplicate, id};
        co_return out;
      }
    }
  }
  store::alert_record r;
  r.id = next_alert_id_++;
  if (!a.publish) unpublished.insert(r.id);
  r.category = a.draft.category;
  r.severity = std::string(domain::to_string(a.draft.level));
  r.title = a.draft.title;
  r.text = a.draft.text;
  r.link = a.draft.link;
  r.media_id = a.media_id;
  r.audience = a.audience;
  r.updates = a.updates;
  r.state = "planning";
  r.source = a.source;
  r.api_key_id = a.api_key_id;
  r.expires_at = a.draft.expires_at_ms;
  r.not_before = a.not_before;
  r.created_at = now;
  // A time ahead: it waits, as the SQLite engine keeps it.
  const bool later = a.send_at && *a.send_at > now;
  if (later) {
    r.state = "scheduled";
    r.send_at = a.send_at;
    r.not_before = std::max(r.not_before, *a.send_at);
  }
  alert_rows[r.id] = r;
  if (!later) planning_[r.id] = {};
  if (!a.idempotency_key.empty()) idempotency_[a.idempotency_key] = {r.id, a.request_hash};
  audit.emplace_back(who.name, "alert.create");
  if (later) audit.emplace_back(who.name, "alert.schedule");
  if (a.decision) audit.emplace_back(who.name, "draft." + std::string(domain::to_string(a.decision->how)));
  out.result = {store::create_outcome::created, r.id};
  out.report = report_now(r.id);
  if (tier > 0) {
    store::alert_preview_counts counts;
    if (preview_counts) counts = *preview_counts;
    else counts.audience.recipients = counts.audience.outside_window = static_cast<std::int64_t>(subscribers_.size());
    counts.usage.tier_limit = tier;
    out.limit_counts = std::move(counts);
  }
  co_return out;
}

asio::awaitable<std::optional<store::alert_report>> fake_store::report(std::int64_t id) { co_return report_now(id); }

asio::awaitable<std::vector<store::alert_record>> fake_store::list(std::int64_t before_id, std::size_t limit) {
  std::vector<store::alert_record> out;
  for (auto it = alert_rows.rbegin(); it != alert_rows.rend() && out.size() < limit; ++it)
    if (before_id == 0 || it->first < before_id) out.push_back(it->second);
  co_return out;
}

asio::awaitable<std::vector<store::alert_record>> fake_store::search(store::alert_query q) {
  auto names = [](const std::optional<std::vector<std::string>>& ids, const std::string& id) {
    return ids && std::find(ids->begin(), ids->end(), id) != ids->end();
  };
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::vector<store::alert_record> out;
  for (auto it = alert_rows.rbegin(); it != alert_rows.rend() && out.size() < q.limit; ++it) {
    const auto& a = it->second;
    if (q.before_id != 0 && it->first >= q.before_id) continue;
    if (!q.severity.empty() && a.severity != q.severity) continue;
    if (!q.source.empty() && a.source != q.source) continue;
    if (!q.state.empty() && a.state != q.state) continue;
    if (q.created_from && a.created_at < *q.created_from) continue;
    if (q.created_before && a.created_at >= *q.created_before) continue;
    if (!q.title_contains.empty() && lower(a.title).find(lower(q.title_contains)) == std::string::npos) continue;
    if (!q.topic.empty() && !names(a.audience.topics, q.topic)) continue;
    if (!q.town.empty() && !names(a.audience.towns, q.town)) continue;
    if (!q.within_towns.empty()) {
      const bool everyone = (!a.audience.towns || a.audience.towns->empty()) && (!a.audience.areas || a.audience.areas->empty());
      bool theirs = everyone;
      for (const auto& t : q.within_towns) theirs = theirs || names(a.audience.towns, t);
      if (a.audience.areas)
        for (const auto& area : catalogue_data.areas)
          if (names(a.audience.areas, area.id) &&
              std::find(q.within_towns.begin(), q.within_towns.end(), area.town_id) != q.within_towns.end())
            theirs = true;
      if (!theirs) continue;
    }
    out.push_back(a);
  }
  co_return out;
}

asio::awaitable<std::optional<store::alert_report>> fake_store::cancel(std::int64_t id, store::actor who,
                                                                       std::int64_t now) {
  auto a = alert_rows.find(id);
  if (a == alert_rows.end()) co_return std::nullopt;
  if (a->second.state == "planning" || a->second.state == "sending") {
    a->second.state = "cancelled";
    a->second.cancelled_at = now;
    planning_.erase(id);
    for (auto& [_, o] : outbox)
      if (o.item.alert_id == id && o.state == "queued") o.state = "cancelled";
  } else if ((a->second.state == "done" || a->second.state == "expired") && !a->second.cancelled_at) {
    a->second.cancelled_at = now;
  }
  audit.emplace_back(who.name, "alert.cancel");
  co_return report_now(id);
}

asio::awaitable<store::alert_preview_counts> fake_store::preview(domain::alert_audience audience, domain::severity,
                                                                 std::int64_t tier, std::int64_t) {
  previewed.push_back(std::move(audience));
  if (preview_counts) co_return *preview_counts;
  store::alert_preview_counts out;
  out.audience.recipients = static_cast<std::int64_t>(subscribers_.size());
  out.audience.outside_window = out.audience.recipients;
  out.usage.tier_limit = tier;
  co_return out;
}

asio::awaitable<store::alert_stats> fake_store::stats(std::int64_t tier, std::int64_t) {
  store::alert_stats s;
  s.subscribers = static_cast<std::int64_t>(subscribers_.size());
  for (const auto& [_, o] : outbox) s.deliveries.add(o.state, 1);
  s.usage.tier_limit = tier;
  if (preview_counts) s.portfolios = preview_counts->portfolios;
  co_return s;
}

asio::awaitable<std::optional<store::plan_step>> fake_store::next_step(std::size_t batch, std::int64_t now) {
  ++plan_calls;
  // The most urgent alert still planning: here, the oldest.
  for (auto& [id, p] : planning_) {
    auto& alert = alert_rows.at(id);
    const std::size_t size = p.first ? std::min<std::size_t>(batch, 256) : batch;
    p.first = false;
    store::plan_step step;
    step.alert_id = id;
    for (std::size_t n = 0; n < size && p.next < subscribers_.size(); ++n, ++p.next) {
      store::outbox_item item;
      item.alert_id = id;
      item.subscriber_id = subscribers_[p.next];
      item.priority = 10;
      item.title = alert.title;
      item.text = alert.text;
      queue(std::move(item), now);
      ++step.added;
    }
    alert.planned_count += step.added;
    if (p.next >= subscribers_.size()) {
      step.finished_planning = true;
      alert.state = "sending";
      planning_.erase(id);
    }
    co_return step;
  }
  co_return std::nullopt;
}

asio::awaitable<store::sender_round> fake_store::round(std::vector<store::send_record> outcomes,
                                                       std::size_t lease_limit, std::int64_t,
                                                       store::delivery_policy policy, std::int64_t now) {
  ++rounds;
  lease_limits.push_back(lease_limit);
  policies.push_back(policy);
  if (!fail_next_round.empty()) {
    auto why = std::exchange(fail_next_round, std::string());
    throw std::runtime_error(why);
  }
  for (auto& r : outcomes) {
    auto& o = outbox.at(r.id);
    o.error_code = r.error_code;
    switch (r.kind) {
      case store::result_kind::sent:
        o.state = "sent";
        o.provider_message_id = r.provider_message_id;
        break;
      case store::result_kind::retry:
        o.state = "queued";
        o.not_before = r.not_before;
        if (!r.count_attempt) --o.item.attempts;
        break;
      case store::result_kind::failed: o.state = "failed"; break;
      case store::result_kind::requeue_as_template:
        o.state = "queued";
        o.item.as_template = true;
        o.not_before = now;
        break;
      case store::result_kind::opt_out: o.state = "cancelled"; break;
    }
    recorded.push_back(std::move(r));
  }
  store::sender_round out;
  std::vector<row*> due;
  // With several numbers a sender leases its own number's rows only.
  for (auto& [_, o] : outbox)
    if (o.state == "queued" && o.not_before <= now &&
        (policy.number_id.empty() || o.item.number_id == policy.number_id))
      due.push_back(&o);
  std::stable_sort(due.begin(), due.end(), [](const row* a, const row* b) {
    return a->item.priority != b->item.priority ? a->item.priority < b->item.priority : a->not_before < b->not_before;
  });
  for (auto* o : due) {
    if (out.items.size() >= lease_limit) break;
    o->state = "sending";
    ++o->item.attempts;
    out.items.push_back(o->item);
  }
  if (lease_limit > 0 && out.items.empty())
    for (const auto& [_, o] : outbox)
      if (o.state == "queued" && (!out.next_due || o.not_before < *out.next_due)) out.next_due = o.not_before;
  co_return out;
}

asio::awaitable<std::optional<store::key_info>> fake_store::authenticate(std::string token, std::int64_t) {
  auto it = keys_.find(token);
  if (it == keys_.end()) co_return std::nullopt;
  co_return it->second;
}

asio::awaitable<store::batch_outcome> fake_store::apply(store::inbound_batch batch, std::int64_t) {
  store::batch_outcome out;
  for (const auto& m : batch.messages) {
    store::inbound_result r;
    if (decide) {
      r = decide(m);
    } else {
      r.decision = domain::decision::subscribe;
      r.keyword = "attiva";
    }
    out.results.push_back(r);
  }
  out.statuses_applied = batch.statuses.size();
  batches.push_back(std::move(batch));
  co_return out;
}

asio::awaitable<domain::audience_catalogue> fake_store::catalogue() { co_return catalogue_data; }

asio::awaitable<domain::catalogue_verdict> fake_store::add(domain::catalogue_entry entry, store::actor who,
                                                           std::int64_t) {
  auto verdict = domain::check_add(catalogue_data, entry);
  if (verdict.ok()) {
    domain::apply_add(catalogue_data, entry);
    audit.emplace_back(who.name, std::string(domain::to_string(domain::kind_of(entry))) + ".add");
  }
  co_return verdict;
}

asio::awaitable<domain::catalogue_verdict> fake_store::update(domain::catalogue_entry entry, store::actor who,
                                                              std::int64_t) {
  auto verdict = domain::check_update(catalogue_data, entry);
  if (verdict.ok()) {
    domain::apply_update(catalogue_data, entry);
    audit.emplace_back(who.name, std::string(domain::to_string(domain::kind_of(entry))) + ".update");
  }
  co_return verdict;
}

asio::awaitable<domain::catalogue_verdict> fake_store::remove(domain::catalogue_kind kind, std::string id,
                                                              store::actor who, std::int64_t) {
  auto verdict = domain::check_remove(catalogue_data, kind, id);
  if (verdict.ok()) {
    domain::apply_remove(catalogue_data, kind, id);
    audit.emplace_back(who.name, std::string(domain::to_string(kind)) + ".remove");
  }
  co_return verdict;
}

// --- staff ----------------------------------------------------------------

fake_store::staff_row* fake_store::staff_by_email(std::string_view email) {
  const auto normal = store::normalise_staff_email(email);
  if (!normal) return nullptr;
  for (auto& [id, r] : staff_)
    if (r.credentials.user.email == *normal) return &r;
  return nullptr;
}

fake_store::staff_row* fake_store::staff_by_id(std::int64_t id) {
  auto it = staff_.find(id);
  return it == staff_.end() ? nullptr : &it->second;
}

std::string fake_store::staff_actor(std::int64_t id) {
  auto* r = staff_by_id(id);
  return r ? r->credentials.user.email : "anonymous";
}

int fake_store::end_sessions_of(std::int64_t user_id, const std::string& keep_token) {
  return static_cast<int>(std::erase_if(sessions_, [&](const auto& entry) {
    return entry.second.user_id == user_id && entry.first != keep_token;
  }));
}

asio::awaitable<std::optional<store::staff_credentials>> fake_store::find_for_login(std::string email) {
  auto* r = staff_by_email(email);
  if (!r) co_return std::nullopt;
  auto c = r->credentials;
  c.user.recovery_codes_left = static_cast<int>(r->recovery_hashes.size());
  co_return c;
}

asio::awaitable<void> fake_store::login_succeeded(std::int64_t user_id, std::optional<std::string> rehashed,
                                                  std::int64_t now) {
  if (auto* r = staff_by_id(user_id)) {
    r->credentials.user.failed_logins = 0;
    r->credentials.user.last_login_at = now;
    if (rehashed) r->credentials.password_hash = *rehashed;
  }
  audit.emplace_back(staff_actor(user_id), "staff.login");
  co_return;
}

asio::awaitable<void> fake_store::login_failed(std::optional<std::int64_t> user_id, store::login_failure,
                                               std::int64_t) {
  if (user_id)
    if (auto* r = staff_by_id(*user_id)) ++r->credentials.user.failed_logins;
  audit.emplace_back(user_id ? staff_actor(*user_id) : "anonymous", "staff.login_failed");
  co_return;
}

asio::awaitable<bool> fake_store::accept_totp_step(std::int64_t user_id, std::int64_t step, std::int64_t) {
  auto* r = staff_by_id(user_id);
  if (!r || (r->credentials.totp_last_step && *r->credentials.totp_last_step >= step)) co_return false;
  r->credentials.totp_last_step = step;
  co_return true;
}

asio::awaitable<bool> fake_store::use_recovery_code(std::int64_t user_id, std::string code_hash, std::int64_t) {
  auto* r = staff_by_id(user_id);
  if (!r) co_return false;
  auto it = std::find(r->recovery_hashes.begin(), r->recovery_hashes.end(), code_hash);
  if (it == r->recovery_hashes.end()) co_return false;
  r->recovery_hashes.erase(it);
  audit.emplace_back(staff_actor(user_id), "staff.recovery_code");
  co_return true;
}

asio::awaitable<store::created_session> fake_store::create_session(std::int64_t user_id,
                                                                   store::session_limits limits, std::int64_t now) {
  store::created_session out;
  out.id = next_session_id_++;
  out.token = crypto::base64url(crypto::sodium_random_bytes(store::session_token_bytes));
  out.expires_at = now + limits.absolute_ms;
  sessions_[out.token] = {out.id, user_id, now, now, out.expires_at};
  co_return out;
}

asio::awaitable<std::optional<store::staff_session>> fake_store::check_session(std::string token,
                                                                              store::session_limits limits,
                                                                              std::int64_t now) {
  auto it = sessions_.find(token);
  if (it == sessions_.end()) co_return std::nullopt;
  auto* user = staff_by_id(it->second.user_id);
  if (!user || user->credentials.user.disabled || now >= it->second.expires_at ||
      now - it->second.last_seen_at >= limits.idle_ms) {
    sessions_.erase(it);
    co_return std::nullopt;
  }
  it->second.last_seen_at = now;
  store::staff_session s;
  s.id = it->second.id;
  s.user = user->credentials.user;
  s.user.recovery_codes_left = static_cast<int>(user->recovery_hashes.size());
  s.created_at = it->second.created_at;
  s.last_seen_at = now;
  s.expires_at = it->second.expires_at;
  co_return s;
}

asio::awaitable<bool> fake_store::end_session(std::string token, std::int64_t) {
  auto it = sessions_.find(token);
  if (it == sessions_.end()) co_return false;
  audit.emplace_back(staff_actor(it->second.user_id), "staff.logout");
  sessions_.erase(it);
  co_return true;
}

asio::awaitable<int> fake_store::end_other_sessions(std::int64_t user_id, std::string keep_token, std::int64_t) {
  co_return end_sessions_of(user_id, keep_token);
}

asio::awaitable<int> fake_store::change_password(std::int64_t user_id, std::string password_hash,
                                                 std::string keep_token, std::int64_t) {
  if (auto* r = staff_by_id(user_id)) r->credentials.password_hash = std::move(password_hash);
  audit.emplace_back(staff_actor(user_id), "staff.password");
  co_return end_sessions_of(user_id, keep_token);
}

asio::awaitable<void> fake_store::enroll_own_totp(std::int64_t user_id, std::string secret,
                                                  std::vector<std::string> recovery_code_hashes,
                                                  std::int64_t accepted_step, std::int64_t) {
  auto* r = staff_by_id(user_id);
  if (!r) throw std::invalid_argument("no such staff user");
  r->credentials.totp_secret = std::move(secret);
  r->credentials.totp_last_step = accepted_step;
  r->credentials.user.totp_enrolled = true;
  r->recovery_hashes = std::move(recovery_code_hashes);
  audit.emplace_back(staff_actor(user_id), "staff.totp_enroll");
  co_return;
}

std::int64_t fake_store::create_user(const store::new_staff_user& user, std::string_view actor, std::int64_t now) {
  const auto email = store::normalise_staff_email(user.email);
  if (!email) throw std::invalid_argument("not an email address");
  if (!store::valid_staff_role(user.role)) throw std::invalid_argument("unknown role");
  if (staff_by_email(*email)) throw std::invalid_argument("email taken");
  staff_row r;
  auto& u = r.credentials.user;
  u.id = next_staff_id_++;
  u.email = *email;
  u.name = user.name;
  u.role = user.role;
  u.towns = user.towns;
  u.created_at = u.updated_at = now;
  r.credentials.password_hash = user.password_hash;
  staff_[u.id] = r;
  audit.emplace_back(std::string(actor), "staff.create");
  return u.id;
}

std::vector<store::staff_user> fake_store::list_users() {
  std::vector<store::staff_user> out;
  for (const auto& [id, r] : staff_) {
    out.push_back(r.credentials.user);
    out.back().recovery_codes_left = static_cast<int>(r.recovery_hashes.size());
  }
  return out;
}

std::optional<store::staff_user> fake_store::find_user(std::string_view email) {
  auto* r = staff_by_email(email);
  if (!r) return std::nullopt;
  auto u = r->credentials.user;
  u.recovery_codes_left = static_cast<int>(r->recovery_hashes.size());
  return u;
}

bool fake_store::set_disabled(std::string_view email, bool disabled, std::string_view actor, std::int64_t) {
  auto* r = staff_by_email(email);
  if (!r) return false;
  r->credentials.user.disabled = disabled;
  if (disabled) end_sessions_of(r->credentials.user.id, {});
  audit.emplace_back(std::string(actor), disabled ? "staff.disable" : "staff.enable");
  return true;
}

bool fake_store::set_role(std::string_view email, std::string_view role, std::string_view actor, std::int64_t) {
  if (!store::valid_staff_role(role)) throw std::invalid_argument("unknown role");
  auto* r = staff_by_email(email);
  if (!r) return false;
  r->credentials.user.role = std::string(role);
  audit.emplace_back(std::string(actor), "staff.role");
  return true;
}

bool fake_store::reset_password(std::string_view email, std::string_view password_hash, std::string_view actor,
                                std::int64_t) {
  auto* r = staff_by_email(email);
  if (!r) return false;
  r->credentials.password_hash = std::string(password_hash);
  end_sessions_of(r->credentials.user.id, {});
  audit.emplace_back(std::string(actor), "staff.reset_password");
  return true;
}

bool fake_store::enroll_totp(std::string_view email, std::string_view secret,
                             const std::vector<std::string>& recovery_code_hashes, std::string_view actor,
                             std::int64_t) {
  auto* r = staff_by_email(email);
  if (!r) return false;
  r->credentials.totp_secret = std::string(secret);
  r->credentials.totp_last_step.reset();
  r->credentials.user.totp_enrolled = true;
  r->recovery_hashes = recovery_code_hashes;
  audit.emplace_back(std::string(actor), "staff.totp_enroll");
  return true;
}

namespace {
bool is_public(const std::map<std::int64_t, store::alert_record>& rows, const std::set<std::int64_t>& unpublished,
               std::int64_t id) {
  auto it = rows.find(id);
  return it != rows.end() && !unpublished.contains(id) && it->second.source != "import";
}

store::public_alert public_of(const std::map<std::int64_t, store::alert_record>& rows,
                              const std::set<std::int64_t>& unpublished,
                              const std::map<std::int64_t, store::public_attachment_file>& media,
                              const store::alert_record& r) {
  store::public_alert p;
  p.id = r.id;
  p.category = r.category;
  p.severity = r.severity;
  p.title = r.title;
  p.text = r.text;
  p.link = r.link;
  p.source = r.source;
  p.created_at = r.created_at;
  p.expires_at = r.expires_at;
  p.cancelled_at = r.cancelled_at;
  p.audience = r.audience;
  if (r.updates && is_public(rows, unpublished, *r.updates)) p.updates = r.updates;
  for (const auto& [id, u] : rows)
    if (u.updates == r.id && is_public(rows, unpublished, id)) {
      p.updated_by = id;
      p.cancelled_at.reset();
    }
  if (r.media_id)
    if (auto m = media.find(*r.media_id); m != media.end()) p.attachment = m->second.info;
  return p;
}
}  // namespace

asio::awaitable<std::vector<store::public_alert>> fake_store::public_list(store::public_alert_query q) {
  std::vector<store::public_alert> out;
  for (auto it = alert_rows.rbegin(); it != alert_rows.rend() && out.size() < q.limit; ++it)
    if ((q.before_id == 0 || it->first < q.before_id) && is_public(alert_rows, unpublished, it->first))
      out.push_back(public_of(alert_rows, unpublished, media_files, it->second));
  co_return out;
}

asio::awaitable<std::optional<store::public_alert>> fake_store::public_alert_by_id(std::int64_t id) {
  if (!is_public(alert_rows, unpublished, id)) co_return std::nullopt;
  co_return public_of(alert_rows, unpublished, media_files, alert_rows.at(id));
}

asio::awaitable<std::optional<store::public_attachment_file>> fake_store::public_attachment_content(
    std::int64_t alert_id) {
  if (!is_public(alert_rows, unpublished, alert_id)) co_return std::nullopt;
  const auto& r = alert_rows.at(alert_id);
  if (!r.media_id) co_return std::nullopt;
  auto m = media_files.find(*r.media_id);
  if (m == media_files.end()) co_return std::nullopt;
  co_return m->second;
}

asio::awaitable<std::int64_t> fake_store::public_version() {
  std::int64_t v = static_cast<std::int64_t>(alert_rows.size()) * 1000 + static_cast<std::int64_t>(unpublished.size());
  for (const auto& [id, r] : alert_rows)
    if (r.cancelled_at) v += *r.cancelled_at % 997 + 1;
  co_return v;
}

}  // namespace banditore::testing
