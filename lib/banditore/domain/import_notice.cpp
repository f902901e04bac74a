#include <banditore/domain/import_notice.hpp>

#include <banditore/domain/alert_message.hpp>

#include <fmt/format.h>

namespace banditore::domain {

std::string default_import_notice(std::string_view town) {
  // "Il Comune di Lugo", never "Il Comune di Comune di Lugo".
  const auto label = town_label(town);
  const std::string comune = label.empty() ? std::string("Il Comune") : (label.starts_with("Comune") ? "Il " + label : label);
  return fmt::format(
      "{} ora invia i suoi avvisi di pubblica utilità (strade chiuse, guasti, allerte meteo) con questo "
      "servizio WhatsApp. Ricevi questo messaggio perché eri nella lista broadcast del Comune: gli avvisi "
      "ti arriveranno come messaggi privati e nessuno vedrà il tuo numero.\n\n"
      "Per non riceverli più rispondi DISATTIVA.",
      comune);
}

}  // namespace banditore::domain
