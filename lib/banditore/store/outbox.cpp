#include <banditore/store/outbox.hpp>

#include <algorithm>
#include <charconv>

namespace banditore::store {

send_record record_for(const outbox_item& item) {
  send_record r;
  r.id = item.id;
  r.alert_id = item.alert_id;
  r.subscriber_id = item.subscriber_id;
  return r;
}

std::string delivery_reference(std::int64_t outbox_id) { return "outbox:" + std::to_string(outbox_id); }

std::optional<std::int64_t> parse_delivery_reference(std::string_view callback_data) {
  constexpr std::string_view prefix = "outbox:";
  if (!callback_data.starts_with(prefix)) return std::nullopt;
  const auto digits = callback_data.substr(prefix.size());
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty() || digits.front() == '0' || id <= 0)
    return std::nullopt;
  return id;
}

void delivery_counts::add(std::string_view state, std::int64_t n) {
  // 'pending' (alert_progress: queued or sending) is filed as queued until
  // split_sending() takes the sending ones out.
  if (state == "queued" || state == "pending") queued += n;
  else if (state == "sending") sending += n;
  else if (state == "sent") sent += n;
  else if (state == "delivered") delivered += n;
  else if (state == "read") read += n;
  else if (state == "failed") failed += n;
  else if (state == "cancelled") cancelled += n;
}

void delivery_counts::split_sending(std::int64_t n) {
  // The two counts come from different tables: never let them disagree
  // into a negative queue.
  sending += std::min(n, queued);
  queued -= std::min(n, queued);
}

}  // namespace banditore::store
