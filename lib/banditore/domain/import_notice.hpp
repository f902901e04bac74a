// The notice a town's existing broadcast list gets when it is imported
// (`banditore subscribers import`): who writes now, why, and how to leave.
// Italian, as the lists imported so far are.
#pragma once

#include <string>
#include <string_view>

namespace banditore::domain {

// The notice's title (the template's first parameter when it goes as a
// template).
inline constexpr std::string_view import_notice_title = "Nuovo servizio di avvisi";

// The notice sent to imported numbers unless the operator gives another.
std::string default_import_notice(std::string_view town);

}  // namespace banditore::domain
