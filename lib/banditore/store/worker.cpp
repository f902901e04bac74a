#include <banditore/store/worker.hpp>

#include <SQLiteCpp/Database.h>

namespace banditore::store {

db_worker::db_worker(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}

db_worker::~db_worker() {
  pool_.join();
  db_.reset();
}

void db_worker::post_sync(std::function<void()> job) { boost::asio::post(pool_, std::move(job)); }

}  // namespace banditore::store
