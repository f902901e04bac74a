#include <banditore/store/inbound.hpp>

namespace banditore::store {

std::string mask_all_digits(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (!digit) out.push_back(text[i]);
    else if (i == 0 || text[i - 1] < '0' || text[i - 1] > '9') out.push_back('#');
  }
  return out;
}

}  // namespace banditore::store
