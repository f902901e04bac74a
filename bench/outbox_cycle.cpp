// The database's share of a broadcast, without HTTP: plan one alert for N
// subscribers, then lease and record "sent" in transactions of --batch rows,
// as the sender does. Prints rows per second for each phase: the ceiling the
// store puts on end-to-end fan-out.
//
//   ./build/release/bench/outbox_cycle --subscribers 1000000 --batch 256
#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/sealed_box.hpp>
#include <banditore/store/sqlite/alerts.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/live_keys.hpp>
#include <banditore/store/sqlite/outbox.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

namespace {

using namespace banditore;
namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

int run(std::int64_t subscribers, std::size_t batch) {
  const auto dir = fs::temp_directory_path() / fmt::format("banditore-outbox-cycle-{}", getpid());
  fs::create_directories(dir);
  auto db = store::sqlite::open_database((dir / "banditore.db").string());
  store::sqlite::migrate(*db);
  const auto keys = crypto::generate_data_keys();

  auto t = clock_type::now();
  {
    crypto::sealed_box box(keys.encryption);
    SQLite::Transaction tx(*db);
    SQLite::Statement ins(*db, "INSERT INTO subscribers (phone_hash, phone_cipher, subscribed_at) VALUES (?, ?, 0)");
    // Each subscriber wrote Attiva once, long ago: a contact outside the
    // 24-hour window, which every lease looks up.
    SQLite::Statement contact(*db, "INSERT INTO contacts (phone_hash, last_inbound_at) VALUES (?, 0)");
    for (std::int64_t i = 0; i < subscribers; ++i) {
      const auto number = fmt::format("39{:010d}", 3000000000LL + i);
      const auto hash = crypto::phone_hash(keys, number);
      const auto cipher = box.seal(number, hash);
      ins.bind(1, hash.data(), static_cast<int>(hash.size()));
      ins.bind(2, cipher.data(), static_cast<int>(cipher.size()));
      ins.exec();
      ins.reset();
      contact.bind(1, hash.data(), static_cast<int>(hash.size()));
      contact.exec();
      contact.reset();
    }
    tx.commit();
  }
  const double fill_s = seconds_since(t);

  std::int64_t now = 1'000'000;
  store::sqlite::alert_store alerts(*db);
  store::sqlite::live_keys live(*db, keys);
  store::sqlite::outbox out(*db, live);
  store::new_alert a;
  a.draft = {"water", domain::severity::severe, "Guasto", "Acqua sospesa in via Roma", "", std::nullopt};
  alerts.create(a, now);
  t = clock_type::now();
  for (;;) {
    SQLite::Transaction tx(*db);
    const auto step = alerts.plan_next(5000, now);
    tx.commit();
    if (!step || step->finished_planning) break;
  }
  const double plan_s = seconds_since(t);

  t = clock_type::now();
  std::int64_t sent = 0, wamid = 0;
  double lease_s = 0, record_s = 0, commit_s = 0;
  for (;;) {
    SQLite::Transaction tx(*db);
    auto phase = clock_type::now();
    const auto items = out.lease(batch, now, 300'000, {});
    lease_s += seconds_since(phase);
    std::vector<store::send_record> records;
    records.reserve(items.size());
    for (const auto& item : items) {
      auto r = store::record_for(item);
      r.kind = store::result_kind::sent;
      r.provider_message_id = fmt::format("wamid.HBgM{:020d}", ++wamid);
      records.push_back(std::move(r));
    }
    phase = clock_type::now();
    out.record(records, now);
    record_s += seconds_since(phase);
    phase = clock_type::now();
    tx.commit();
    commit_s += seconds_since(phase);
    sent += static_cast<std::int64_t>(items.size());
    if (items.empty()) break;
  }
  const double send_s = seconds_since(t);

  fmt::print("subscribers            {}\n", subscribers);
  fmt::print("fill                   {:.0f} rows/s\n", subscribers / fill_s);
  fmt::print("plan                   {:.0f} rows/s ({:.2f} s)\n", subscribers / plan_s, plan_s);
  fmt::print("lease + record, {:>4}   {:.0f} rows/s ({:.2f} s, {} rows)\n", batch, sent / send_s, send_s, sent);
  fmt::print("  of which lease {:.2f} s, record {:.2f} s, commit {:.2f} s\n", lease_s, record_s, commit_s);
  fs::remove_all(dir);
  return sent == subscribers ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t subscribers = 100000;
  std::size_t batch = 256;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--subscribers") subscribers = std::stoll(argv[i + 1]);
    else if (a == "--batch") batch = std::stoul(argv[i + 1]);
    else {
      fmt::print(stderr, "usage: outbox_cycle [--subscribers N] [--batch B]\n");
      return 2;
    }
  }
  return run(subscribers, batch);
}
