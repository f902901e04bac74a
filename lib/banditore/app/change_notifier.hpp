// Who wants to know that alerts moved (deliveries leased or settled,
// statuses recorded, an alert planned or released): the console's progress
// streams subscribe, the sender, webhook, planner and scheduler notify. It
// carries no data: a listener reads what it needs again. One io_context
// thread, no locking.
#pragma once

#include <cstdint>
#include <functional>
#include <map>

namespace banditore::app {

class change_notifier {
 public:
  // Listening until destroyed; move-only.
  class subscription {
   public:
    subscription() = default;
    subscription(change_notifier* n, std::uint64_t id) : notifier_(n), id_(id) {}
    subscription(subscription&& o) noexcept : notifier_(o.notifier_), id_(o.id_) { o.notifier_ = nullptr; }
    subscription& operator=(subscription&& o) noexcept {
      if (this != &o) {
        reset();
        notifier_ = o.notifier_;
        id_ = o.id_;
        o.notifier_ = nullptr;
      }
      return *this;
    }
    subscription(const subscription&) = delete;
    subscription& operator=(const subscription&) = delete;
    ~subscription() { reset(); }
    void reset() {
      if (notifier_) notifier_->listeners_.erase(id_);
      notifier_ = nullptr;
    }

   private:
    change_notifier* notifier_ = nullptr;
    std::uint64_t id_ = 0;
  };

  subscription subscribe(std::function<void()> listener) {
    const auto id = ++next_;
    listeners_.emplace(id, std::move(listener));
    return subscription(this, id);
  }

  void notify() {
    // A listener may unsubscribe another while this runs: walk by key.
    for (auto it = listeners_.begin(); it != listeners_.end();) {
      const auto id = it->first;
      auto copy = it->second;
      copy();
      it = listeners_.upper_bound(id);
    }
  }

  std::size_t listeners() const { return listeners_.size(); }

 private:
  std::map<std::uint64_t, std::function<void()>> listeners_;
  std::uint64_t next_ = 0;
};

}  // namespace banditore::app
