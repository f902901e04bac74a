// A channel delivers one message to one person and says what happened.
// WhatsApp's Cloud API is the real one; more (Telegram, SMS) can follow
// behind the same interface. What the sender does next depends only on
// the verdict, never on a provider's HTTP status.
#pragma once

#include <banditore/domain/replies.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::dispatch {

// An image or document the provider already holds (uploaded with
// channel::upload_media), sent with the text as its caption, or as the
// header of a template approved with a media header.
struct media_attachment {
  std::string type;  // "image" or "document"
  std::string provider_id;
  std::string filename;  // a document's
  bool operator==(const media_attachment&) const = default;
};

struct template_content {
  std::string name;
  std::string language;
  std::vector<std::string> body_parameters;
  // A template approved with an IMAGE or DOCUMENT header carries the
  // attachment here (Meta sends such a template only with its media).
  std::optional<media_attachment> header;
};

struct outgoing_message {
  std::string to;    // E.164 digits
  std::string text;  // used when no template is set
  // Reply buttons sent with the text (an interactive message); only for a
  // reply, which is inside the 24-hour window.
  std::vector<domain::reply_button> buttons;
  // Or a list message (a reply too).
  domain::reply_list list;
  std::optional<template_content> templ;
  // Or an image or document with the text as caption (free-form, inside
  // the 24-hour window; never with a template).
  std::optional<media_attachment> media;
  // Echoed by the provider in this message's status notifications: how a
  // status finds its delivery without an index over message ids.
  std::string callback_data;
};

enum class send_verdict {
  accepted,               // the provider took it; message_id identifies it
  retry_later,            // transient: back off and try again
  slow_down,              // over the sending rate: pause everything
  retry_recipient_later,  // too many messages to this person just now
  use_template,           // outside the 24-hour window: send a template
  opt_out,                // the person stopped these messages
  permanent,              // will never succeed
  configuration,          // our credentials or setup are wrong: hold, alert the operator
};

// How many verdicts there are, for tables indexed by one.
inline constexpr std::size_t send_verdict_count = static_cast<std::size_t>(send_verdict::configuration) + 1;

std::string_view to_string(send_verdict);

struct send_outcome {
  send_verdict verdict = send_verdict::retry_later;
  std::string message_id;
  int error_code = 0;
  std::string error_title;
  int http_status = 0;
  std::chrono::milliseconds retry_after{0};
};

// An upload's result: the provider's id for the file, or the verdict of
// why not (as for a send: retry, configuration, permanent ...).
struct upload_outcome {
  std::string provider_id;  // empty when refused
  send_outcome refusal;     // its verdict and error when provider_id is empty
};

class channel {
 public:
  virtual ~channel() = default;
  virtual boost::asio::awaitable<send_outcome> send(const outgoing_message& message) = 0;
  // Uploads a file once, for media messages; a channel without media
  // refuses (permanent).
  virtual boost::asio::awaitable<upload_outcome> upload_media(std::string mime_type, std::string filename,
                                                              std::string bytes);
};

}  // namespace banditore::dispatch
