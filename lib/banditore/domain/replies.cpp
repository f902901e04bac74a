#include <banditore/domain/replies.hpp>

#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/conversation.hpp>
#include <banditore/domain/utf8.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <stdexcept>

namespace banditore::domain {

namespace {

constexpr std::array all_kinds{reply_kind::subscribed, reply_kind::already_subscribed,
                               reply_kind::unsubscribed, reply_kind::not_subscribed,
                               reply_kind::help,       reply_kind::ask};

// Where each kind's text lives, so lookup and override share one table.
std::string reply_texts::*member(reply_kind kind) {
  switch (kind) {
    case reply_kind::subscribed: return &reply_texts::subscribed;
    case reply_kind::already_subscribed: return &reply_texts::already_subscribed;
    case reply_kind::unsubscribed: return &reply_texts::unsubscribed;
    case reply_kind::not_subscribed: return &reply_texts::not_subscribed;
    case reply_kind::help: return &reply_texts::help;
    case reply_kind::ask: return &reply_texts::ask;
  }
  throw std::logic_error("unknown reply_kind");
}

void check_text(reply_kind kind, std::string_view text) {
  if (text.empty())
    throw std::invalid_argument(fmt::format("reply text '{}' is empty", to_string(kind)));
  auto n = utf8::count_code_points(text);
  if (!n)
    throw std::invalid_argument(fmt::format("reply text '{}' is not valid UTF-8", to_string(kind)));
  const auto limit = kind == reply_kind::ask ? max_interactive_body_code_points : max_reply_code_points;
  if (*n > limit)
    throw std::invalid_argument(fmt::format("reply text '{}' has {} characters, more than {}",
                                            to_string(kind), *n, limit));
}

reply_texts checked(reply_texts texts) {
  for (auto kind : all_kinds) check_text(kind, reply_text(texts, kind));
  for (const auto* title : {&texts.join_button, &texts.leave_button, &texts.info_button}) {
    auto n = utf8::count_code_points(*title);
    if (title->empty() || !n || *n > max_button_title_code_points)
      throw std::invalid_argument(fmt::format("reply button title '{}' must have 1 to {} characters",
                                              *title, max_button_title_code_points));
  }
  return texts;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

std::string_view to_string(reply_kind kind) {
  switch (kind) {
    case reply_kind::subscribed: return "subscribed";
    case reply_kind::already_subscribed: return "already_subscribed";
    case reply_kind::unsubscribed: return "unsubscribed";
    case reply_kind::not_subscribed: return "not_subscribed";
    case reply_kind::help: return "help";
    case reply_kind::ask: return "ask";
  }
  throw std::logic_error("unknown reply_kind");
}

std::vector<reply_button> reply_buttons(const reply_texts& texts, reply_kind kind) {
  if (kind != reply_kind::ask) return {};
  return {{std::string(join_button_id), texts.join_button},
          {std::string(leave_button_id), texts.leave_button},
          {std::string(info_button_id), texts.info_button}};
}

std::string comune_name(std::string_view town) {
  // One rule for the replies and the alerts' first line (town_label).
  auto name = town_label(town);
  return name.empty() ? std::string("Comune") : name;
}

std::string of_town(std::string_view town) {
  // The articled preposition follows the first word: "del Comune di X",
  // "della Città di X", "dell'Unione dei Comuni ...".
  auto name = comune_name(town);
  std::string first = name.substr(0, name.find(' '));
  for (auto& c : first) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (first == "unione") return "dell'" + name;
  if (first == "città" || first == "citta" || first == "comunità" || first == "comunita" || first == "provincia" ||
      first == "regione")
    return "della " + name;
  return "del " + name;
}

const std::string& reply_text(const reply_texts& texts, reply_kind kind) {
  return texts.*member(kind);
}

reply_texts italian_replies(std::string_view town, const reply_contacts& contacts) {
  // "del Comune di X" names the sender; "del Comune" alone still reads well.
  const std::string comune = of_town(town);
  const std::string how_to_stop =
      "Scrivi DISATTIVA in qualsiasi momento per non ricevere più messaggi.";
  const std::string office = trimmed(contacts.office);
  const std::string unstaffed = fmt::format(
      "Questo numero invia solo avvisi e non è presidiato: per segnalazioni e richieste {}. "
      "In caso di emergenza chiama il 112.",
      office.empty() ? fmt::format("rivolgiti agli uffici {}", comune) : "contatta " + office);
  const std::string privacy = trimmed(contacts.privacy_url).empty()
                                  ? std::string{}
                                  : fmt::format("Informativa privacy: {}\n", trimmed(contacts.privacy_url));
  return checked({
      .subscribed = fmt::format("Fatto! Da ora riceverai qui gli avvisi di pubblica utilità {}. "
                                "{}\n{}{}",
                                comune, how_to_stop, privacy, unstaffed),
      .already_subscribed = fmt::format("Il tuo numero è già iscritto agli avvisi {}: non devi "
                                        "fare altro. {}",
                                        comune, how_to_stop),
      .unsubscribed = fmt::format("Fatto: non riceverai più gli avvisi {} e il tuo numero è stato "
                                  "cancellato. Se cambi idea, scrivi ATTIVA.",
                                  comune),
      .not_subscribed = fmt::format("Il tuo numero non risulta iscritto agli avvisi {}, quindi "
                                    "non riceverai messaggi. Per iscriverti, scrivi ATTIVA.\n{}",
                                    comune, unstaffed),
      .help = fmt::format("Avvisi di pubblica utilità {} su WhatsApp.\n"
                          "Scrivi:\n"
                          "• ATTIVA per ricevere gli avvisi\n"
                          "• ATTIVA e un argomento o una zona per sceglierli (ATTIVA STRADE)\n"
                          "• STATO per vedere e cambiare cosa ricevi\n"
                          "• DISATTIVA per non riceverli più\n"
                          "• INFO per rileggere questo messaggio\n"
                          "Ogni avviso arriva come messaggio individuale: nessuno vede il tuo "
                          "numero.\n{}",
                          comune, unstaffed),
      .ask = fmt::format("Vuoi ricevere gli avvisi {}? Tocca un pulsante.", comune),
      .join_button = "Attiva",
      .leave_button = "Disattiva",
      .info_button = "Info",
  });
}

reply_texts english_replies(std::string_view town, const reply_contacts& contacts) {
  // The Comune keeps its Italian name: it is what the sender is called.
  const std::string from = "from the " + comune_name(town);
  const std::string how_to_stop = "Send STOP at any time and you will get no more messages.";
  const std::string office = trimmed(contacts.office);
  const std::string unstaffed = fmt::format(
      "Nobody reads this number, which only sends alerts: for reports and requests {}. "
      "In an emergency call 112.",
      office.empty() ? fmt::format("contact the offices of the {}", comune_name(town)) : "contact " + office);
  const std::string privacy = trimmed(contacts.privacy_url).empty()
                                  ? std::string{}
                                  : fmt::format("Privacy notice: {}\n", trimmed(contacts.privacy_url));
  return checked({
      .subscribed = fmt::format("Done! You will now receive public alerts {} here. {}\n{}{}", from,
                                how_to_stop, privacy, unstaffed),
      .already_subscribed = fmt::format("Your number is already signed up for alerts {}: "
                                        "nothing else to do. {}",
                                        from, how_to_stop),
      .unsubscribed = fmt::format("Done: you will get no more alerts {} and your number has been "
                                  "erased. If you change your mind, send START.",
                                  from),
      .not_subscribed = fmt::format("Your number is not signed up for alerts {}, so you will not "
                                    "get any messages. To sign up, send START.\n{}",
                                    from, unstaffed),
      .help = fmt::format("Public alerts {} (the town council) on WhatsApp.\n"
                          "Send:\n"
                          "• START (or ATTIVA) to receive alerts\n"
                          "• STOP (or DISATTIVA) to stop them\n"
                          "• INFO to see this message again\n"
                          "Each alert arrives as an individual message: nobody sees your number.\n{}",
                          from, unstaffed),
      .ask = fmt::format("Would you like to receive alerts {}? Tap a button.", from),
      .join_button = "Start",
      .leave_button = "Stop",
      .info_button = "Info",
  });
}

reply_texts replies_from_json(const nlohmann::json& json, reply_texts defaults) {
  if (!json.is_object()) throw std::invalid_argument("reply texts must be a JSON object");
  for (const auto& [key, value] : json.items()) {
    const reply_kind* kind = nullptr;
    for (const auto& k : all_kinds)
      if (to_string(k) == key) kind = &k;
    if (!kind) throw std::invalid_argument(fmt::format("unknown reply text key '{}'", key));
    if (!value.is_string())
      throw std::invalid_argument(fmt::format("reply text '{}' must be a string", key));
    const auto& text = value.get_ref<const std::string&>();
    check_text(*kind, text);
    defaults.*member(*kind) = text;
  }
  return defaults;
}

}  // namespace banditore::domain
