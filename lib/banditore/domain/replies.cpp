#include <banditore/domain/replies.hpp>

#include <banditore/domain/utf8.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <stdexcept>

namespace banditore::domain {

namespace {

constexpr std::array all_kinds{reply_kind::subscribed, reply_kind::already_subscribed,
                               reply_kind::unsubscribed, reply_kind::not_subscribed,
                               reply_kind::help};

// Where each kind's text lives, so lookup and override share one table.
std::string reply_texts::*member(reply_kind kind) {
  switch (kind) {
    case reply_kind::subscribed: return &reply_texts::subscribed;
    case reply_kind::already_subscribed: return &reply_texts::already_subscribed;
    case reply_kind::unsubscribed: return &reply_texts::unsubscribed;
    case reply_kind::not_subscribed: return &reply_texts::not_subscribed;
    case reply_kind::help: return &reply_texts::help;
  }
  throw std::logic_error("unknown reply_kind");
}

void check_text(reply_kind kind, std::string_view text) {
  if (text.empty())
    throw std::invalid_argument(fmt::format("reply text '{}' is empty", to_string(kind)));
  auto n = utf8::count_code_points(text);
  if (!n)
    throw std::invalid_argument(fmt::format("reply text '{}' is not valid UTF-8", to_string(kind)));
  if (*n > max_reply_code_points)
    throw std::invalid_argument(fmt::format("reply text '{}' has {} characters, more than {}",
                                            to_string(kind), *n, max_reply_code_points));
}

reply_texts checked(reply_texts texts) {
  for (auto kind : all_kinds) check_text(kind, reply_text(texts, kind));
  return texts;
}

}  // namespace

std::string_view to_string(reply_kind kind) {
  switch (kind) {
    case reply_kind::subscribed: return "subscribed";
    case reply_kind::already_subscribed: return "already_subscribed";
    case reply_kind::unsubscribed: return "unsubscribed";
    case reply_kind::not_subscribed: return "not_subscribed";
    case reply_kind::help: return "help";
  }
  throw std::logic_error("unknown reply_kind");
}

const std::string& reply_text(const reply_texts& texts, reply_kind kind) {
  return texts.*member(kind);
}

reply_texts italian_replies(std::string_view town) {
  // "del Comune di X" names the sender; "del Comune" alone still reads well.
  std::string comune = town.empty() ? "del Comune" : fmt::format("del Comune di {}", town);
  const std::string how_to_stop =
      "Scrivi DISATTIVA in qualsiasi momento per non ricevere più messaggi.";
  return checked({
      .subscribed = fmt::format("Fatto! Da ora riceverai qui gli avvisi di pubblica utilità {}. "
                                "{}",
                                comune, how_to_stop),
      .already_subscribed = fmt::format("Il tuo numero è già iscritto agli avvisi {}: non devi "
                                        "fare altro. {}",
                                        comune, how_to_stop),
      .unsubscribed = fmt::format("Fatto: non riceverai più gli avvisi {} e il tuo numero è stato "
                                  "cancellato. Se cambi idea, scrivi ATTIVA.",
                                  comune),
      .not_subscribed = fmt::format("Il tuo numero non risulta iscritto agli avvisi {}, quindi "
                                    "non riceverai messaggi. Per iscriverti, scrivi ATTIVA.",
                                    comune),
      .help = fmt::format("Avvisi di pubblica utilità {} su WhatsApp.\n"
                          "Scrivi:\n"
                          "• ATTIVA per ricevere gli avvisi\n"
                          "• DISATTIVA per non riceverli più\n"
                          "• INFO per rileggere questo messaggio\n"
                          "Ogni avviso arriva come messaggio individuale: nessuno vede il tuo "
                          "numero.",
                          comune),
  });
}

reply_texts english_replies(std::string_view town) {
  // The Comune keeps its Italian name: it is what the sender is called.
  std::string from = town.empty() ? "from the Comune" : fmt::format("from the Comune di {}", town);
  const std::string how_to_stop = "Send STOP at any time and you will get no more messages.";
  return checked({
      .subscribed = fmt::format("Done! You will now receive public alerts {} here. {}", from,
                                how_to_stop),
      .already_subscribed = fmt::format("Your number is already signed up for alerts {}: "
                                        "nothing else to do. {}",
                                        from, how_to_stop),
      .unsubscribed = fmt::format("Done: you will get no more alerts {} and your number has been "
                                  "erased. If you change your mind, send START.",
                                  from),
      .not_subscribed = fmt::format("Your number is not signed up for alerts {}, so you will not "
                                    "get any messages. To sign up, send START.",
                                    from),
      .help = fmt::format("Public alerts {} (the town council) on WhatsApp.\n"
                          "Send:\n"
                          "• START (or ATTIVA) to receive alerts\n"
                          "• STOP (or DISATTIVA) to stop them\n"
                          "• INFO to see this message again\n"
                          "Each alert arrives as an individual message: nobody sees your number.",
                          from),
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
