// What the phone will show for an alert, in both forms it may take: the
// free text the sender sends to people inside their 24-hour window, and the
// approved template, with its parameters filled, for everyone else. Each
// as HTML safe for any page (wa_markup) and counted against WhatsApp's
// limits, in characters (code points):
// - a text message's body: 4096 (max_text_body, domain/alert.hpp);
// - a caption, when the alert carries an image or a document: 1024
//   (Cloud API messages reference, image and document objects, "caption");
// - a template's body with its parameters filled: 1024 (max_template_body),
//   each parameter without a line break, a tab or more than four spaces in
//   a row, and not empty (valid_template_parameter, domain/alert_message).
// The texts come from the functions the sender sends with
// (alert_free_text, template_parameters): what is shown is what leaves.
#pragma once

#include <banditore/domain/alert_message.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::domain {

inline constexpr std::size_t max_caption = 1024;

// The deployment's forms, from its configuration.
struct phone_forms {
  std::string town;  // the deployment's
  severity_labels labels;
  std::string template_name;  // empty: no template, free text only
  // Its twins approved with an IMAGE or DOCUMENT header (sender_options):
  // empty, an alert with such an attachment reaches those outside the
  // window as template_name, without the attachment.
  std::string template_image_name, template_document_name;
  std::string template_language = "it";
  std::vector<std::string> template_params = {"title", "text"};
  std::string template_body;  // with {{1}}..{{n}}; empty: not configured, the parameters alone are shown
};

struct counted_text {
  std::string text;  // as sent, WhatsApp markup included
  std::string html;  // as the phone shows it
  std::size_t chars = 0;
  std::size_t limit = 0;
  bool fits() const { return chars <= limit; }
};

struct filled_parameter {
  std::string name;   // title, text, town, ...
  std::string value;  // folded as the sender sends it
  std::size_t chars = 0;
  bool valid = true;  // what Meta accepts (valid_template_parameter)
};

struct template_form {
  std::string name, language;
  std::vector<filled_parameter> parameters;
  bool body_known = false;  // false: the body is the parameters, one a line
  counted_text body;        // limit max_template_body
  // With an attachment: whether the template carries it in its header
  // (name is then its twin approved with an IMAGE or DOCUMENT header) or
  // leaves without it (no such twin configured). None without one.
  std::optional<bool> with_attachment;
};

struct phone_view {
  counted_text free_text;  // limit max_text_body, or max_caption as a media caption
  bool caption = false;    // the free text goes as the caption of an image or document
  std::optional<template_form> templ;  // none without a configured template
};

// category as the alert names it ("water"), for the template's category
// parameter; media_mime_type: the alert's attachment (empty: none), so its
// free text is a caption and the template is the twin of its kind where
// there is one (dispatch::template_for_media).
phone_view phone_preview(const alert_content& alert, std::string_view category, const phone_forms& forms,
                         std::string_view media_mime_type = {});

// "{{1}}" ... "{{n}}" in body replaced by values[0] ... values[n-1]; a
// placeholder without a value stays as written.
std::string fill_template_body(std::string_view body, const std::vector<std::string>& values);

}  // namespace banditore::domain
