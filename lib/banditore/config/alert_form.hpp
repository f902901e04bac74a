// The forms an alert takes on the phone, from the configuration: the labels
// of its severity, and the limits a text must fit so that every form it may
// take (free text, the approved template) is accepted by WhatsApp.
#pragma once

#include <banditore/config/settings.hpp>
#include <banditore/domain/alert.hpp>
#include <banditore/domain/alert_message.hpp>

namespace banditore::config {

domain::severity_labels severity_labels_for(const settings&);

domain::alert_limits alert_limits_for(const settings&);

}  // namespace banditore::config
