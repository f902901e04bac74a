#include <banditore/cap/parse.hpp>

#include <banditore/cap/xml_util.hpp>
#include <banditore/domain/rfc3339.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <span>

namespace banditore::cap {

namespace {

constexpr std::string_view cap_ns = "urn:oasis:names:tc:emergency:cap:1.2";

using value_set = std::span<const std::string_view>;
constexpr std::string_view statuses[] = {"Actual", "Exercise", "System", "Test", "Draft"};
constexpr std::string_view msg_types[] = {"Alert", "Update", "Cancel", "Ack", "Error"};
constexpr std::string_view scopes[] = {"Public", "Restricted", "Private"};
constexpr std::string_view categories[] = {"Geo",    "Met",   "Safety",    "Security", "Rescue", "Fire",
                                  "Health", "Env",   "Transport", "Infra",    "CBRNE",  "Other"};
constexpr std::string_view urgencies[] = {"Immediate", "Expected", "Future", "Past", "Unknown"};
constexpr std::string_view severities[] = {"Extreme", "Severe", "Moderate", "Minor", "Unknown"};
constexpr std::string_view certainties[] = {"Observed", "Likely", "Possible", "Unlikely", "Unknown"};

bool is_one_of(std::string_view v, value_set set) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

std::string listed(value_set set) {
  std::string out;
  for (auto v : set) out.append(out.empty() ? "" : "|").append(v);
  return out;
}

// A CAP number is a decimal (CAP 1.2 3.2.4: WGS 84 degrees, kilometres):
// a sign, digits and a point. from_chars alone would also take "inf",
// "nan" and exponents, and a NaN passes every range check.
std::optional<double> parse_number(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  const auto digits = s.substr(!s.empty() && s.front() == '-' ? 1 : 0);
  if (digits.empty() || digits.front() == '.' || digits.back() == '.' ||
      digits.find_first_not_of("0123456789.") != std::string_view::npos ||
      std::count(digits.begin(), digits.end(), '.') > 1)
    return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// "45.46,9.19" -> a point, or nothing when it is not a pair in range.
std::optional<geo_point> parse_point(std::string_view s) {
  auto comma = s.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  auto lat = parse_number(s.substr(0, comma));
  auto lon = parse_number(s.substr(comma + 1));
  if (!lat || !lon || *lat < -90 || *lat > 90 || *lon < -180 || *lon > 180) return std::nullopt;
  return geo_point{*lat, *lon};
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    auto start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// Walks one document; the first failure is kept in the result and every
// step returns false from then on, so the walk reads top to bottom.
class reader {
 public:
  explicit reader(cap_parse_result& out) : out_(out) {}

  bool read_alert(const pugi::xml_node& root, cap_alert& a) {
    std::string sent;
    if (!required(root, "identifier", a.identifier, "") || !required(root, "sender", a.sender, "") ||
        !required(root, "sent", sent, "") || !time_of("sent", sent, a.sent) ||
        !enumerated(root, "status", a.status, statuses, "") ||
        !enumerated(root, "msgType", a.msg_type, msg_types, "") ||
        !enumerated(root, "scope", a.scope, scopes, ""))
      return false;
    a.note = first_text(root, "note").value_or("");
    if (auto refs = first_text(root, "references"); refs && !refs->empty()) {
      if (!read_references(*refs, a.references)) return false;
    }
    if ((a.msg_type == "Update" || a.msg_type == "Cancel") && a.references.empty())
      return fail("references", fmt::format("required for msgType {}", a.msg_type));

    auto infos = children_in(root, cap_ns, "info");
    for (std::size_t i = 0; i < infos.size(); ++i) {
      cap_info info;
      if (!read_info(infos[i], info, fmt::format("info {}", i + 1))) return false;
      a.infos.push_back(std::move(info));
    }
    return true;
  }

 private:
  bool fail(std::string element, std::string reason) {
    out_.element = std::move(element);
    out_.reason = std::move(reason);
    return false;
  }

  static std::string in(std::string_view where) {
    return where.empty() ? std::string() : " in " + std::string(where);
  }

  static std::optional<std::string> first_text(const pugi::xml_node& n, std::string_view name) {
    auto found = children_in(n, cap_ns, name);
    if (found.empty()) return std::nullopt;
    return trimmed_text(found.front());
  }

  bool required(const pugi::xml_node& n, std::string_view name, std::string& into,
                std::string_view where) {
    auto text = first_text(n, name);
    if (!text || text->empty())
      return fail(std::string(name), "required element is missing or empty" + in(where));
    into = std::move(*text);
    return true;
  }

  bool enumerated(const pugi::xml_node& n, std::string_view name, std::string& into, value_set set,
                  std::string_view where) {
    if (!required(n, name, into, where)) return false;
    if (!is_one_of(into, set))
      return fail(std::string(name),
                  fmt::format("\"{}\" is not one of {}{}", into, listed(set), in(where)));
    return true;
  }

  bool time_of(std::string_view name, const std::string& text, cap_time& into) {
    // CAP 1.2 writes an XML Schema dateTime with an offset; real feeds
    // also send Z and fractions, which RFC 3339 reads as well.
    auto t = domain::parse_rfc3339_seconds(text);
    if (!t)
      return fail(std::string(name),
                  fmt::format("\"{}\" is not a CAP date-time with an offset "
                              "(YYYY-MM-DDThh:mm:ss+hh:mm)",
                              text));
    into = {*t, text};
    return true;
  }

  bool optional_time(const pugi::xml_node& n, std::string_view name, std::optional<cap_time>& into) {
    auto text = first_text(n, name);
    if (!text || text->empty()) return true;
    cap_time t;
    if (!time_of(name, *text, t)) return false;
    into = std::move(t);
    return true;
  }

  bool read_references(std::string_view text, std::vector<cap_reference>& into) {
    for (auto entry : split_ws(text)) {
      auto c1 = entry.find(',');
      auto c2 = c1 == std::string_view::npos ? c1 : entry.find(',', c1 + 1);
      if (c2 == std::string_view::npos || entry.find(',', c2 + 1) != std::string_view::npos ||
          c1 == 0 || c2 == c1 + 1)
        return fail("references", fmt::format("\"{}\" is not sender,identifier,sent", entry));
      cap_reference r{std::string(entry.substr(0, c1)), std::string(entry.substr(c1 + 1, c2 - c1 - 1)),
                      {}};
      auto sent = std::string(entry.substr(c2 + 1));
      if (!time_of("references", sent, r.sent)) return false;
      into.push_back(std::move(r));
    }
    return true;
  }

  bool read_values(const pugi::xml_node& n, std::string_view name, cap_values& into,
                   std::string_view where) {
    for (auto v : children_in(n, cap_ns, name)) {
      auto value_name = first_text(v, "valueName");
      if (!value_name || value_name->empty())
        return fail(std::string(name), "valueName is missing" + in(where));
      into.emplace_back(std::move(*value_name), first_text(v, "value").value_or(""));
    }
    return true;
  }

  bool read_info(const pugi::xml_node& n, cap_info& info, const std::string& where) {
    info.language = first_text(n, "language").value_or("");
    auto cats = children_in(n, cap_ns, "category");
    if (cats.empty()) return fail("category", "required element is missing" + in(where));
    for (auto c : cats) {
      auto v = trimmed_text(c);
      if (!is_one_of(v, categories))
        return fail("category", fmt::format("\"{}\" is not one of {}{}", v, listed(categories), in(where)));
      info.categories.push_back(std::move(v));
    }
    if (!required(n, "event", info.event, where) ||
        !enumerated(n, "urgency", info.urgency, urgencies, where) ||
        !enumerated(n, "severity", info.severity, severities, where))
      return false;

    if (!required(n, "certainty", info.certainty, where)) return false;
    if (info.certainty == "Very Likely") {
      // CAP 1.0 had "Very Likely"; 1.1 folded it into "Likely" and some
      // generators still write it.
      info.certainty = "Likely";
      out_.notes.push_back("certainty \"Very Likely\" read as \"Likely\" (CAP 1.0)" + in(where));
    } else if (!is_one_of(info.certainty, certainties)) {
      return fail("certainty", fmt::format("\"{}\" is not one of {}{}", info.certainty,
                                           listed(certainties), in(where)));
    }

    info.sender_name = first_text(n, "senderName").value_or("");
    info.headline = first_text(n, "headline").value_or("");
    info.description = first_text(n, "description").value_or("");
    info.instruction = first_text(n, "instruction").value_or("");
    info.web = first_text(n, "web").value_or("");
    info.contact = first_text(n, "contact").value_or("");
    if (!optional_time(n, "effective", info.effective) || !optional_time(n, "onset", info.onset) ||
        !optional_time(n, "expires", info.expires) ||
        !read_values(n, "parameter", info.parameters, where))
      return false;

    // Resources are read as sent and never required to be complete: the
    // policy and the message do not use them, and a feed that omits a
    // mimeType (optional before CAP 1.2) is still an alert.
    for (auto r : children_in(n, cap_ns, "resource")) {
      cap_resource res;
      res.desc = first_text(r, "resourceDesc").value_or("");
      res.mime_type = first_text(r, "mimeType").value_or("");
      if (auto size = first_text(r, "size")) {
        std::int64_t v = 0;
        auto [p, ec] = std::from_chars(size->data(), size->data() + size->size(), v);
        if (ec == std::errc{} && p == size->data() + size->size() && v >= 0) res.size = v;
      }
      res.uri = first_text(r, "uri").value_or("");
      res.digest = first_text(r, "digest").value_or("");
      info.resources.push_back(std::move(res));
    }
    auto areas = children_in(n, cap_ns, "area");
    for (std::size_t i = 0; i < areas.size(); ++i) {
      cap_area area;
      if (!read_area(areas[i], area, fmt::format("{}, area {}", where, i + 1))) return false;
      info.areas.push_back(std::move(area));
    }
    return true;
  }

  bool read_area(const pugi::xml_node& n, cap_area& area, const std::string& where) {
    if (!required(n, "areaDesc", area.desc, where)) return false;
    for (auto p : children_in(n, cap_ns, "polygon")) {
      std::vector<geo_point> ring;
      auto text = trimmed_text(p);
      auto tokens = split_ws(text);
      for (auto t : tokens) {
        auto point = parse_point(t);
        if (!point)
          return fail("polygon", fmt::format("\"{}\" is not a lat,lon pair{}", t, in(where)));
        ring.push_back(*point);
      }
      if (ring.size() < 4)
        return fail("polygon", "needs at least 4 points" + in(where));
      if (ring.front() != ring.back())
        return fail("polygon", "first and last points differ" + in(where));
      area.polygons.push_back(std::move(ring));
    }
    for (auto c : children_in(n, cap_ns, "circle")) {
      auto text = trimmed_text(c);
      auto tokens = split_ws(text);
      std::optional<geo_point> centre;
      std::optional<double> radius;
      if (tokens.size() == 2) {
        centre = parse_point(tokens[0]);
        radius = parse_number(tokens[1]);
      }
      if (!centre || !radius || *radius < 0)
        return fail("circle", fmt::format("\"{}\" is not \"lat,lon radius_km\"{}", text, in(where)));
      area.circles.push_back({*centre, *radius});
    }
    return read_values(n, "geocode", area.geocodes, where);
  }

  cap_parse_result& out_;
};

}  // namespace

cap_parse_result parse_cap(std::string_view xml, std::size_t max_bytes) {
  cap_parse_result out;
  pugi::xml_document doc;
  if (auto refusal = load_untrusted_xml(doc, xml, max_bytes)) {
    out.element = std::move(refusal->element);
    out.reason = std::move(refusal->reason);
    return out;
  }
  auto root = doc.document_element();
  if (local_name(root) != "alert" || namespace_uri(root) != cap_ns) {
    out.element = "alert";
    out.reason = fmt::format("root element <{}> in namespace \"{}\" is not <alert> in {}",
                             root.name(), namespace_uri(root), cap_ns);
    return out;
  }
  cap_alert alert;
  if (reader(out).read_alert(root, alert)) out.alert = std::move(alert);
  return out;
}

}  // namespace banditore::cap
