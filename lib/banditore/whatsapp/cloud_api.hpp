// The wire format of one send through Meta's WhatsApp Cloud API:
// POST /{version}/{phone-number-id}/messages with a JSON body, answered by
// the new message's wamid or by a Graph API error object. No HTTP here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::whatsapp {

// An approved message template: the only thing Meta lets us send to someone
// whose last message is more than 24 hours old (a broadcast, typically).
struct template_message {
  std::string name;      // as approved in WhatsApp Manager
  std::string language;  // the approved translation's code, e.g. "it"
  std::vector<std::string> body_parameters;  // {{1}}, {{2}}, ... in order
  // A template approved with a media header (format IMAGE or DOCUMENT) is
  // sent only with that media, in a header component; one without such a
  // header takes none. header_type "image" or "document", empty: no header
  // component; header_media_id the id of an upload to /media.
  std::string header_type;
  std::string header_media_id;
  std::string header_filename;  // a document's name on the phone
};

// Meta echoes a send's biz_opaque_callback_data in the message's status
// notifications; at most this many characters.
inline constexpr std::size_t max_callback_data = 512;

// {"messaging_product":"whatsapp","recipient_type":"individual","to":...,
//  "type":"text","text":{"preview_url":false,"body":...}}
// plus "biz_opaque_callback_data" when callback_data is not empty.
std::string text_message_body(std::string_view to, std::string_view text,
                              bool preview_url = false, std::string_view callback_data = {});

// {"messaging_product":"whatsapp","recipient_type":"individual","to":...,
//  "type":"template","template":{"name":...,"language":{"code":...},
//  "components":[{"type":"header","parameters":[{"type":"image","image":{"id":...}}]},
//                {"type":"body","parameters":[{"type":"text","text":...}]}]}}
// (Meta, "Send message templates", media-based message templates: the
// header component carries the image or document by its upload's id.)
// The header component only with a header_type; the components array is
// left out when there is neither a header nor a parameter;
// callback_data as for text_message_body.
std::string template_message_body(std::string_view to, const template_message& message,
                                  std::string_view callback_data = {});

// The two above in two parts. A content is what a send says apart from its
// recipient: "type" and its object, as JSON members without the braces.
// Every recipient of a broadcast gets the same content, so a sender builds
// it once and wraps it for each recipient with message_body.
std::string text_content(std::string_view text, bool preview_url = false);
std::string template_content(const template_message& message);
std::string message_body(std::string_view to, std::string_view content, std::string_view callback_data = {});

// An interactive message with reply buttons, free-form (so only inside the
// 24-hour window): the citizen taps one and the webhook brings back its id
// in interactive.button_reply.id. Meta's limits: 1 to 3 buttons, each id
// unique and at most 256 characters, each title unique and at most 20
// characters, body text at most 1024
// (developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-reply-buttons-messages).
struct interactive_button {
  std::string id;
  std::string title;
};
inline constexpr std::size_t max_reply_buttons = 3;
inline constexpr std::size_t max_button_id = 256;
inline constexpr std::size_t max_button_title = 20;
inline constexpr std::size_t max_interactive_body = 1024;

// "type":"interactive","interactive":{"type":"button","body":{"text":...},
//  "action":{"buttons":[{"type":"reply","reply":{"id":...,"title":...}}]}}
std::string buttons_content(std::string_view body_text, const std::vector<interactive_button>& buttons);

// An interactive list message, free-form like the buttons: a button opens
// a list of rows in sections; the row tapped comes back in
// interactive.list_reply.id. Meta's limits
// (developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-list-messages):
// body at most 1024 characters, the button 1-20, 1-10 sections with 1-10
// rows in all, a section title at most 24 and needed when there are
// several, each row an id of 1-200 unique in the message, a title of 1-24
// and a description of at most 72. list_problem says which one a message
// breaks, in words for the operator; list_content builds it.
struct list_row {
  std::string id;
  std::string title;
  std::string description;  // optional
};
struct list_section {
  std::string title;  // optional with one section
  std::vector<list_row> rows;
};
inline constexpr std::size_t max_list_rows = 10;
inline constexpr std::size_t max_list_sections = 10;
inline constexpr std::size_t max_list_button = 20;
inline constexpr std::size_t max_section_title = 24;
inline constexpr std::size_t max_row_id = 200;
inline constexpr std::size_t max_row_title = 24;
inline constexpr std::size_t max_row_description = 72;

std::optional<std::string> list_problem(std::string_view body_text, std::string_view button,
                                        const std::vector<list_section>& sections);
// "type":"interactive","interactive":{"type":"list","body":{"text":...},
//  "action":{"button":...,"sections":[{"title":...,"rows":[{"id","title","description"}]}]}}
std::string list_content(std::string_view body_text, std::string_view button, const std::vector<list_section>& sections);

// An image or a document uploaded to Meta and named by the id the upload
// answered, free-form (so only inside the 24-hour window). Meta's caption
// holds at most 1024 characters
// (developers.facebook.com/documentation/business-messaging/whatsapp/messages/image-messages).
inline constexpr std::size_t max_media_caption = 1024;

// "type":"image","image":{"id":...,"caption":...} or "type":"document",
// "document":{"id":...,"caption":...,"filename":...}; caption and filename
// left out when empty. media_type is "image" or "document".
std::string media_content(std::string_view media_type, std::string_view media_id, std::string_view caption,
                          std::string_view filename = {});

// An upload: POST /{version}/{phone-number-id}/media as multipart/form-data
// (RFC 7578) with messaging_product=whatsapp, type (the MIME type) and the
// file, whose part carries the same Content-Type: Meta judges the file by it
// (developers.facebook.com/docs/whatsapp/cloud-api/reference/media, "Upload
// Media"). boundary must not occur in the bytes (the caller picks a random
// one and checks); filename is sent as the file part's name.
struct media_form {
  std::string content_type;  // multipart/form-data; boundary=...
  std::string body;
};
media_form media_upload_form(std::string_view mime_type, std::string_view filename, std::string_view bytes,
                             std::string_view boundary);
// The id of a 200 answer to an upload, {"id":"..."}; nothing for another shape.
std::optional<std::string> parse_upload_success(std::string_view body);

// "/" + version + "/" + phone_number_id + "/media".
std::string media_path(std::string_view version, std::string_view phone_number_id);

// "/" + version + "/" + phone_number_id + "/messages"; version as configured
// ("v21.0"), a leading slash tolerated.
std::string messages_path(std::string_view version, std::string_view phone_number_id);

struct send_success {
  std::string message_id;  // wamid: statuses in webhooks refer to it
};

// messages[0].id of a 200 answer; nothing when the body is not that shape.
std::optional<send_success> parse_send_success(std::string_view body);

// A Graph API error: {"error":{"message","type","code","error_subcode",
// "error_data":{"messaging_product","details"},"fbtrace_id"}}. Decide on
// `code` (see errors.hpp); `message` and `details` are for the operator.
struct provider_error {
  int code = 0;
  int subcode = 0;
  std::string type;
  std::string message;
  std::string details;
};

// Nothing when the body is not a Graph API error (an HTML page from a
// proxy, an empty body, invalid JSON): the caller then has only the HTTP
// status to go on.
std::optional<provider_error> parse_provider_error(std::string_view body);

// Bodies wa-sim answers with, shaped as Meta's.
std::string make_error_body(const provider_error& error);
std::string make_success_body(std::string_view to, std::string_view message_id);

}  // namespace banditore::whatsapp
