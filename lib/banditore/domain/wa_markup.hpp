// WhatsApp's own text formatting, rendered to HTML as a phone shows it, so
// staff see the message before it leaves. The output is safe to put into
// any page: every character of the text is escaped, and only these tags are
// ever written, without attributes: <strong> <em> <del> <code> <pre>
// <blockquote> <ul> <ol> <li> <br>. Links stay text.
//
// The rules, as WhatsApp documents them for its apps and as the
// integrations that send through it restate them (WhatsApp's announcement
// of lists, quotes and inline code, reported by tech.everyeye.it,
// "WhatsApp: arrivano elenchi puntati, numerati..." and by Wired Italia;
// green-api.com/en/docs/faq/how-to-format-messages; Twilio's "Formatting in
// WhatsApp Messages", twilio.com/docs/whatsapp/message-features):
//
//   *bold*  _italic_  ~strikethrough~  ```monospace```  `inline code`
//   "> " at the start of a line: a quote
//   "* " or "- " at the start of a line: a bulleted list
//   "1. " (a number, a dot, a space) at the start of a line: a numbered list
//
// What the apps do and this follows (observed behaviour, not written down
// by Meta):
// - A marker opens only at the start of the text or after a character that
//   is not a letter or digit, and must be followed by a non-space; it closes
//   at the nearest same marker that follows a non-space and is not followed
//   by a letter or digit. So snake_case_name and 2*3*4 stay as typed.
// - *, _, ~ and ` do not reach across a line break; ``` does.
// - Markers nest (*_both_*), but not inside themselves; nothing is
//   formatted inside ``` or `.
// - A marker without its closing twin is shown as typed.
// - A numbered list is drawn by the page (<ol>), so it counts from 1 as the
//   phone does for a list typed 1., 2., 3.
//
// Bytes that are not UTF-8 become U+FFFD; control characters other than a
// line break and a tab are dropped; "\r\n" is a line break.
#pragma once

#include <string>
#include <string_view>

namespace banditore::domain {

std::string wa_markup_to_html(std::string_view text);

}  // namespace banditore::domain
