// The console's compose page (/console/compose, editor and above): an
// alert written in a form, previewed as the phone will show it (free
// text and template, with their character counts) and with what it would
// take and cost, then sent by a publisher. Sending is POST /v1/alerts's own
// function (app/alert_submission.hpp), audited as the staff member. One
// attachment (an image or a PDF) may come with the form as
// multipart/form-data, taken as POST /v1/media takes it.
#pragma once

#include <banditore/app/alerts_api.hpp>
#include <banditore/app/console.hpp>
#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/phone_preview.hpp>
#include <banditore/http/router.hpp>
#include <banditore/store/drafts.hpp>
#include <banditore/store/media.hpp>

#include <boost/asio/awaitable.hpp>

#include <nlohmann/json_fwd.hpp>

#include <string_view>

namespace banditore::app {

// The phone's two forms of an alert (free text and the approved template,
// each with its character counter), as templates/_console_phone.mustache
// shows them: the compose page's preview and a draft's page.
// media_mime_type: the alert's attachment (empty: none), so its free text
// is a caption (1024), and the template says whether it carries it: only
// one approved with a media header of its kind does.
nlohmann::json console_phone(const domain::alert_content& content, std::string_view category,
                             const domain::phone_forms& forms, std::string_view media_mime_type = {});

// An attachment as the phone's preview shows it (templates/_console_phone:
// an image, or a document's card with its name and size).
nlohmann::json console_attachment(const store::media_record& m);

// The compose page as it opens, its fields already holding fields' values
// (categoria, gravita, titolo, testo): a message model's words once its
// blanks are filled (app/console_models.cpp).
boost::asio::awaitable<http::response> console_compose_page(console_context& ctx, const alerts_context& api,
                                                            console_request& r, const http::form& fields);

// The compose page, empty (action "") or with the form f and what action
// asks: "anteprima", "bozza" (a new draft), "invia" (publishers), or, for
// the draft being edited (its edit page, /console/drafts/{id}/edit),
// "salva": the same checks, then store::drafts::update_draft at the
// revision the form carries (revisione), a 409 page when it is stale.
boost::asio::awaitable<http::response> compose_page(console_context& ctx, const alerts_context& api,
                                                    console_request& r, const http::form& f, std::string action,
                                                    const store::draft_record* editing);

// The 409 page of a draft changed since its page was read.
http::response stale_draft_page(console_context& ctx, console_request& r, std::int64_t revision);

// api: the REST API's settings (limits, pace, price, the phone's forms,
// quiet hours, the duplicate window), so both send alike.
void add_console_compose_routes(http::router& routes, console_context& ctx, const alerts_context& api);

}  // namespace banditore::app
