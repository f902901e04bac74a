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

// The places an alert was for: the towns it names (all the catalogue's when
// it names none, and the town of each area it names), and its areas.
struct alert_places {
  std::vector<domain::town> towns;
  std::vector<domain::area> areas;
};
alert_places places_of(const domain::alert_audience& audience, const domain::audience_catalogue& catalogue);

// The name a public alert's attachment is saved under: its uploaded name,
// or for an image (uploaded without one) "avviso-12.jpg".
std::string attachment_filename(const store::public_alert& alert);

// One info in Italian. Its first area names the alert's towns, with the
// ISTAT code of each that has one; each area the alert names follows as
// an area of its own, with its boundary as a CAP polygon when the
// catalogue has one. An alert that updates an earlier public one is
// msgType Update referencing that one's document (pass it as earlier).
// An alert with an attachment has it as the info's resource, read at
// base_url/avvisi/{id}/allegato; attachment_sha1 (hex, of its bytes) is
// its digest, left out when empty.
cap::cap_alert cap_alert_of(const store::public_alert& alert, const cap_publisher& publisher,
                            const domain::audience_catalogue& catalogue,
                            const store::public_alert* earlier = nullptr, const std::string& attachment_sha1 = {});

// The Cancel of a cancelled alert: sent when it was cancelled, referencing
// cap_alert_of's document. Throws std::invalid_argument for an alert that
// is not cancelled.
cap::cap_alert cap_cancel_of(const store::public_alert& alert, const cap_publisher& publisher,
                             const domain::audience_catalogue& catalogue, const std::string& attachment_sha1 = {});

}  // namespace banditore::app
