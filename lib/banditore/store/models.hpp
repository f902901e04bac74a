// Message models: the usual words of an alert with blanks, kept for the
// press office and the console, and filled in order into a draft
// (store/drafts.hpp) that a person then sends. Nothing here ever sends.
// Each call is one transaction, audited when it changes something.
#pragma once

#include <banditore/domain/message_model.hpp>
#include <banditore/store/alerts.hpp>
#include <banditore/store/drafts.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace banditore::store {

struct model_record {
  std::int64_t id = 0;
  std::string name, text, category, severity;
  std::string created_by;  // the actor's name, "key:<name>"
  std::int64_t created_at = 0, updated_at = 0;
};

enum class model_outcome {
  done,
  not_found,
  name_taken,  // another model has this name
};

struct model_change {
  model_outcome outcome = model_outcome::done;
  std::optional<model_record> model;  // as it is afterwards, when done
};

enum class fill_outcome {
  drafted,
  not_found,
  refused,  // the values do not fill the blanks (reason says why)
};

struct model_fill {
  fill_outcome outcome = fill_outcome::drafted;
  std::string reason;                 // Italian, for staff, when refused
  std::optional<draft_record> draft;  // the new draft (source "model"), when drafted
};

class models {
 public:
  virtual ~models() = default;
  // By name.
  virtual boost::asio::awaitable<std::vector<model_record>> list_models() = 0;
  virtual boost::asio::awaitable<std::optional<model_record>> model(std::int64_t id) = 0;
  virtual boost::asio::awaitable<model_change> create_model(domain::model_fields fields, actor who,
                                                            std::int64_t now_ms) = 0;
  virtual boost::asio::awaitable<model_change> update_model(std::int64_t id, domain::model_fields fields, actor who,
                                                            std::int64_t now_ms) = 0;
  // False when there was none.
  virtual boost::asio::awaitable<bool> delete_model(std::int64_t id, actor who, std::int64_t now_ms) = 0;
  // The model's blanks filled in order (domain::fill_blanks) into a new
  // open draft titled by the model's name, with its category and severity.
  virtual boost::asio::awaitable<model_fill> fill_model(std::int64_t id, std::vector<std::string> values, actor who,
                                                        std::int64_t now_ms) = 0;
};

}  // namespace banditore::store
