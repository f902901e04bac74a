#include <banditore/store/sqlite/inbound_journal.hpp>

#include <banditore/store/sqlite/live_keys.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <stdexcept>

namespace banditore::store::sqlite {

using nlohmann::json;

std::string journal_aad(std::int64_t seq) { return fmt::format("inbound-journal:{}", seq); }

// Short keys: a row is written for every busy webhook.
std::string encode_messages(const std::vector<inbound_message_input>& messages) {
  json all = json::array();
  for (const auto& m : messages) {
    json o = {{"id", m.message_id}, {"from", m.from}, {"type", m.type}, {"text", m.text}, {"sent", m.sent_at_ms}};
    if (!m.reply_id.empty()) o["reply"] = m.reply_id;
    if (!m.number_id.empty()) o["number"] = m.number_id;
    if (m.location) o["at"] = {m.location->lat, m.location->lon};
    all.push_back(std::move(o));
  }
  // Texts were checked as UTF-8 where they entered (the webhook's parser):
  // replace rather than throw should one not be.
  return all.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<inbound_message_input> decode_messages(std::string_view text) {
  const auto all = json::parse(text, nullptr, false);
  if (!all.is_array()) throw std::runtime_error("inbound journal: a row is not a JSON array");
  std::vector<inbound_message_input> out;
  out.reserve(all.size());
  auto string_at = [](const json& o, const char* key, bool required) -> std::string {
    const auto it = o.find(key);
    if (it == o.end()) {
      if (required) throw std::runtime_error(fmt::format("inbound journal: a message has no '{}'", key));
      return {};
    }
    if (!it->is_string()) throw std::runtime_error(fmt::format("inbound journal: '{}' is not a string", key));
    return it->get<std::string>();
  };
  for (const auto& o : all) {
    if (!o.is_object()) throw std::runtime_error("inbound journal: a message is not an object");
    inbound_message_input m;
    m.message_id = string_at(o, "id", true);
    m.from = string_at(o, "from", true);
    m.type = string_at(o, "type", true);
    m.text = string_at(o, "text", true);
    const auto sent = o.find("sent");
    if (sent == o.end() || !sent->is_number_integer())
      throw std::runtime_error("inbound journal: 'sent' is not an integer");
    m.sent_at_ms = sent->get<std::int64_t>();
    m.reply_id = string_at(o, "reply", false);
    m.number_id = string_at(o, "number", false);
    if (const auto at = o.find("at"); at != o.end()) {
      if (!at->is_array() || at->size() != 2 || !(*at)[0].is_number() || !(*at)[1].is_number())
        throw std::runtime_error("inbound journal: 'at' is not [latitude, longitude]");
      m.location = cap::geo_point{(*at)[0].get<double>(), (*at)[1].get<double>()};
    }
    out.push_back(std::move(m));
  }
  return out;
}

struct inbound_journal::statements {
  explicit statements(SQLite::Database& db)
      : first(db, "SELECT seq FROM inbound_journal ORDER BY seq LIMIT 1"),
        // Each MAX and MIN alone in its SELECT: SQLite reads it from the
        // end of the rowid tree then, where together (or inside another
        // expression) they scan the table.
        span(db, "SELECT (SELECT MAX(seq) FROM inbound_journal) - (SELECT MIN(seq) FROM inbound_journal) + 1"),
        next(db, "SELECT COALESCE((SELECT MAX(seq) FROM inbound_journal), 0) + 1"),
        insert(db, "INSERT INTO inbound_journal (seq, request_id, received_at, sealed) VALUES (:seq, :request, :at, :sealed)"),
        oldest(db, "SELECT seq, request_id, received_at, sealed FROM inbound_journal ORDER BY seq LIMIT :limit"),
        remove(db, "DELETE FROM inbound_journal WHERE seq = :seq"),
        oldest_at(db, "SELECT received_at FROM inbound_journal ORDER BY seq LIMIT 1") {}
  SQLite::Statement first, span, next, insert, oldest, remove, oldest_at;
};

inbound_journal::inbound_journal(SQLite::Database& db, live_keys& keys)
    : db_(db), keys_(keys), st_(std::make_unique<statements>(db)) {}

inbound_journal::~inbound_journal() = default;

bool inbound_journal::empty() {
  auto& q = st_->first;
  q.reset();
  const bool any = q.executeStep();
  q.reset();
  return !any;
}

std::optional<std::int64_t> inbound_journal::oldest_received_at() {
  auto& q = st_->oldest_at;
  q.reset();
  std::optional<std::int64_t> at;
  if (q.executeStep()) at = q.getColumn(0).getInt64();
  q.reset();
  return at;
}

std::int64_t inbound_journal::depth() {
  auto& q = st_->span;
  q.reset();
  std::int64_t n = 0;
  if (q.executeStep() && !q.getColumn(0).isNull()) n = q.getColumn(0).getInt64();
  q.reset();
  return n;
}

void inbound_journal::append(std::string_view request_id, const std::vector<inbound_message_input>& messages,
                             std::int64_t received_at_ms) {
  // The caller holds the write lock: nobody takes this seq meanwhile.
  auto& n = st_->next;
  n.reset();
  n.executeStep();
  const auto seq = n.getColumn(0).getInt64();
  n.reset();
  const auto sealed = keys_.seal(encode_messages(messages), journal_aad(seq));
  auto& st = st_->insert;
  st.reset();
  st.bind(":seq", seq);
  st.bind(":request", std::string(request_id));
  st.bind(":at", received_at_ms);
  st.bind(":sealed", sealed.data(), static_cast<int>(sealed.size()));
  st.exec();
}

std::vector<journal_entry> inbound_journal::oldest(std::size_t limit) {
  std::vector<journal_entry> out;
  auto& q = st_->oldest;
  q.reset();
  q.bind(":limit", static_cast<std::int64_t>(limit));
  while (q.executeStep()) {
    journal_entry e;
    e.seq = q.getColumn(0).getInt64();
    e.request_id = q.getColumn(1).getString();
    e.received_at_ms = q.getColumn(2).getInt64();
    const auto blob = q.getColumn(3);
    const std::string_view sealed(static_cast<const char*>(blob.getBlob()), static_cast<std::size_t>(blob.getBytes()));
    if (auto text = keys_.open(sealed, journal_aad(e.seq))) {
      try {
        e.messages = decode_messages(*text);
      } catch (const std::runtime_error&) {
        e.unreadable = true;
      }
    } else {
      e.unreadable = true;
    }
    out.push_back(std::move(e));
  }
  q.reset();
  return out;
}

void inbound_journal::remove(std::int64_t seq) {
  auto& st = st_->remove;
  st.reset();
  st.bind(":seq", seq);
  st.exec();
}

}  // namespace banditore::store::sqlite
