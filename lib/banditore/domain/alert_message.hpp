// What a subscriber's phone shows for an alert: as free text, who sends it,
// how serious it is in a word and a symbol, when it was issued (Europe/Rome),
// the text, the link and how to stop; as a template, parameters that Meta
// accepts whatever the press office wrote.
#pragma once

#include <banditore/domain/alert.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::domain {

// A symbol read the same way by everyone and a word, per severity. An
// extreme alert must not look like a road notice.
struct severity_label {
  std::string symbol;
  std::string word;
};

struct severity_labels {
  severity_label extreme{"🔴", "ALLERTA ROSSA"};
  severity_label severe{"🟠", "ALLERTA ARANCIONE"};
  severity_label moderate{"🟡", "ATTENZIONE"};
  severity_label minor{"ℹ️", "AVVISO"};
  const severity_label& of(severity) const;
};

// "extreme=🔴 ALLERTA ROSSA;minor=ℹ️ INFORMAZIONE": the levels named are
// replaced, the symbol is the first word. Throws std::invalid_argument with
// the reason.
severity_labels parse_severity_labels(std::string_view text);

// "Comune di Lodi" from "Lodi", and never "Comune di Comune di Lodi": a
// town setting that already says what it is ("Comune di ...", "Città di
// ...", "Unione dei Comuni ...") is kept as written. Empty stays empty.
std::string town_label(std::string_view town);

// The local time in Europe/Rome, read from the system's time-zone database:
// "24/11/2026 alle 18:05".
std::string rome_time_text(std::int64_t unix_ms);

// One short line on how to stop.
inline constexpr std::string_view stop_line = "Per non ricevere più avvisi scrivi DISATTIVA.";

struct alert_content {
  std::string_view town;  // as configured
  severity level = severity::moderate;
  std::string_view title;
  std::string_view text;
  std::string_view link;  // empty: none
  std::int64_t issued_at_ms = 0;
};

// The WhatsApp text of an alert that can go as free text.
std::string compose_alert_text(const alert_content& alert, const severity_labels& labels);

// The free text a subscriber receives: compose_alert_text naming the
// alert's own town, unless that pushes the message past WhatsApp's 4096
// characters; then the deployment's town, with which the alert was checked.
// The sender sends it and the preview shows it.
std::string alert_free_text(alert_content alert, std::string_view deployment_town, const severity_labels& labels);

// Characters compose_alert_text adds around the title, text and link, at
// most (the longest severity label): the text's room is 4096 minus this.
std::size_t alert_text_framing(std::string_view town, const severity_labels& labels);

// Meta refuses a template parameter that holds a newline or a tab, more
// than four consecutive spaces, or nothing: the whole send is answered 400
// (reported as (#100) Invalid parameter and, on current versions, #132018
// "Param text cannot have new-line/tab characters or more than 4
// consecutive spaces"; https://developers.facebook.com/documentation/
// business-messaging/whatsapp/support/error-codes/). A template's body,
// fixed text and parameters together, holds at most 1024 characters
// (https://developers.facebook.com/docs/whatsapp/business-management-api/
// message-templates/ , "Body": 1,024 characters), beyond which the send
// fails with 132005 (hydrated text too long).
inline constexpr std::size_t max_template_body = 1024;
bool valid_template_parameter(std::string_view text);

// A text made a valid parameter: lines of a paragraph joined with a space,
// paragraphs with " — ", tabs and other control characters as spaces, runs
// of spaces as one, trimmed; cut with "…" past max_chars; "—" when nothing
// is left. valid_template_parameter holds for the result.
std::string fold_template_parameter(std::string_view text, std::size_t max_chars = max_template_body);

// The names BANDITORE_WA_TEMPLATE_PARAMS may list, each a parameter of
// the approved template's body.
inline constexpr std::string_view template_parameter_names[] = {"title", "text", "category", "severity", "town",
                                                                  "time", "link"};
bool known_template_parameter(std::string_view name);

// The body parameters, in the order named, each folded.
std::vector<std::string> template_parameters(const std::vector<std::string>& names, const alert_content& alert,
                                             std::string_view category, const severity_labels& labels);

// The characters the named parameters other than title and text may take
// at most (a town, a time, a label, a link): with the template's fixed
// text, what the title and text may not use of the 1024.
std::size_t template_parameter_overhead(const std::vector<std::string>& names, std::string_view town,
                                        const severity_labels& labels);

}  // namespace banditore::domain
