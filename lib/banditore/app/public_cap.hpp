// A public alert as the CAP 1.2 documents aggregators read at /cap/: the
// alert itself (msgType Alert) and, once cancelled, its Cancel, which
// references it. Identifier, sender and sent never change for an alert,
// so an aggregator that reads a document twice sees the same one.
#pragma once

#include <banditore/cap/alert.hpp>
#include <banditore/domain/audience.hpp>
#include <banditore/store/public_alerts.hpp>

#include <string>
#include <vector>

namespace banditore::app {

struct cap_publisher {
  std::string sender;       // CAP <sender>
  std::string sender_name;  // <senderName>: "Avvisi del Comune di Lugo"
  std::string base_url;     // the alert's page is base_url/avvisi/{id} (<web>)
};

// "banditore-avviso-12": unique for the sender, stable.
std::string cap_identifier(std::int64_t alert_id);

// One info in Italian; the area names the towns (all the deployment's,
// until alerts carry their own) with the ISTAT code of each that has one.
cap::cap_alert cap_alert_of(const store::public_alert& alert, const cap_publisher& publisher,
                            const std::vector<domain::town>& towns);

// The Cancel of a cancelled alert: sent when it was cancelled, referencing
// cap_alert_of's document. Throws std::invalid_argument for an alert that
// is not cancelled.
cap::cap_alert cap_cancel_of(const store::public_alert& alert, const cap_publisher& publisher,
                             const std::vector<domain::town>& towns);

}  // namespace banditore::app
