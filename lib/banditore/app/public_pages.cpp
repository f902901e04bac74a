#include <banditore/app/public_pages.hpp>

#include <banditore/app/public_cap.hpp>
#include <banditore/cap/write.hpp>
#include <banditore/crypto/hash.hpp>
#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/audience.hpp>
#include <banditore/domain/clock.hpp>
#include <banditore/domain/rfc3339.hpp>
#include <banditore/http/caching.hpp>
#include <banditore/log/log.hpp>
#include <banditore/store/audience.hpp>
#include <banditore/store/public_alerts.hpp>
#include <banditore/web/atom.hpp>
#include <banditore/web/qr.hpp>
#include <banditore/web/templates.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <unordered_map>

namespace banditore::app {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

constexpr std::size_t archive_page = 20;
constexpr std::size_t feed_entries = 50;
constexpr std::size_t widget_entries = 5;
// Distinct pages kept (the archive's pages and filters are many); past
// it the cache starts again empty rather than grow with what clients ask.
constexpr std::size_t max_cached_pages = 2000;

// No script, no third-party asset, no inline style: the policy a page is
// served with. The embeddable box may be framed by any site; the rest by
// none.
constexpr std::string_view page_policy =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";
constexpr std::string_view widget_policy =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'none'; base-uri 'none'; "
    "frame-ancestors *";

constexpr std::string_view html_type = "text/html; charset=utf-8";
constexpr std::string_view atom_type = "application/atom+xml; charset=utf-8";
// CAP's media type as IANA registers it.
constexpr std::string_view cap_type = "application/cap+xml; charset=utf-8";

// What one URL answers, rendered once and served many times.
struct page {
  int status = 200;
  std::string content_type{html_type};
  std::string body;
  std::string policy{page_policy};
  std::string cache_control = "public, max-age=30";
  // Rendered again at this time at the latest (an alert expires).
  std::int64_t valid_until = INT64_MAX;
};

struct cached_page {
  page p;
  std::string etag;
  std::int64_t last_modified_ms = 0;
  std::int64_t rendered_at = 0;
  std::int64_t version = 0;
};

std::string category_label(std::string_view c) {
  if (c == "water") return "Acqua";
  if (c == "roads") return "Strade";
  if (c == "weather") return "Meteo";
  if (c == "civil_protection") return "Protezione civile";
  if (c == "health") return "Salute";
  return "Altro";
}

std::string severity_word(std::string_view s) {
  domain::severity_labels labels;
  if (auto level = domain::parse_severity(s)) return labels.of(*level).word;
  return "AVVISO";
}

std::vector<std::string> paragraphs(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find("\n\n", pos);
    if (end == std::string::npos) end = text.size();
    auto p = text.substr(pos, end - pos);
    while (!p.empty() && (p.front() == '\n' || p.front() == '\r')) p.erase(0, 1);
    if (!p.empty()) out.push_back(std::move(p));
    pos = end + 2;
  }
  return out;
}

// "Lugo" from "Comune di Lugo": the word a citizen writes after Attiva.
std::string short_town_name(const std::string& name) {
  for (std::string_view prefix : {"Comune di ", "Città di ", "Comune of "})
    if (name.rfind(prefix, 0) == 0) return name.substr(prefix.size());
  return name;
}

std::string example_topic(const domain::audience_catalogue& c) {
  for (const auto& t : c.topics)
    if (t.id != "emergenze") return t.id;
  return "strade";
}

bool expired(const store::public_alert& a, std::int64_t now) {
  return !a.cancelled_at && a.expires_at && *a.expires_at <= now;
}

std::int64_t changed_at(const store::public_alert& a) { return a.cancelled_at.value_or(a.created_at); }

// "PDF", "JPEG", "PNG": what the attachment is, beside its link.
std::string attachment_kind(std::string_view mime_type) {
  if (mime_type == "application/pdf") return "PDF";
  if (mime_type == "image/png") return "PNG";
  if (mime_type == "image/jpeg") return "JPEG";
  return "file";
}

// A size as an Italian reader writes it, in decimal units: "512 byte",
// "34 kB", "1,2 MB".
std::string size_text(std::int64_t bytes) {
  auto decimal = [](double v, const char* unit) {
    auto text = v < 10 ? fmt::format("{:.1f}", v) : fmt::format("{:.0f}", v);
    std::replace(text.begin(), text.end(), '.', ',');
    if (text.size() > 2 && text.substr(text.size() - 2) == ",0") text.resize(text.size() - 2);
    return text + " " + unit;
  };
  if (bytes < 1000) return std::to_string(bytes) + " byte";
  if (bytes < 999'500) return decimal(static_cast<double>(bytes) / 1e3, "kB");
  return decimal(static_cast<double>(bytes) / 1e6, "MB");
}

// Content-Disposition inline with the attachment's name (RFC 6266): an
// ASCII stand-in in filename, where quotes, backslashes, controls and
// anything beyond ASCII become "_", and the name itself in filename*
// (RFC 8187, UTF-8, percent-encoded).
std::string content_disposition(std::string_view name) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string plain, encoded;
  for (unsigned char c : name) {
    plain += (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') ? '_' : static_cast<char>(c);
    if (std::isalnum(c) || std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += hex[c >> 4];
      encoded += hex[c & 15];
    }
  }
  return "inline; filename=\"" + plain + "\"; filename*=UTF-8''" + encoded;
}

std::string attachment_path(std::int64_t alert_id) { return "/avvisi/" + std::to_string(alert_id) + "/allegato"; }

json alert_view(const store::public_alert& a, std::int64_t now, const std::string& base_for_links) {
  json v = {{"id", a.id},
            {"title", a.title},
            {"severity", a.severity},
            {"severity_word", severity_word(a.severity)},
            {"category_label", category_label(a.category)},
            {"created_iso", domain::format_rfc3339_utc(a.created_at)},
            {"created_text", domain::rome_time_text(a.created_at)},
            {"paragraphs", paragraphs(a.text)},
            {"link", a.link.empty() ? json(nullptr) : json(a.link)},
            {"url", base_for_links + "/avvisi/" + std::to_string(a.id)},
            {"cap_url", base_for_links + "/cap/" + std::to_string(a.id) + ".xml"},
            {"cancelled", a.cancelled_at.has_value()},
            {"expired", expired(a, now)},
            {"updated", a.updated_by.has_value()},
            {"inactive", a.cancelled_at.has_value() || a.updated_by.has_value() || expired(a, now)}};
  if (a.updated_by) v["updated_by_url"] = base_for_links + "/avvisi/" + std::to_string(*a.updated_by);
  if (a.updates) v["updates_url"] = base_for_links + "/avvisi/" + std::to_string(*a.updates);
  if (a.cancelled_at) {
    v["cancelled_iso"] = domain::format_rfc3339_utc(*a.cancelled_at);
    v["cancelled_text"] = domain::rome_time_text(*a.cancelled_at);
    v["cap_cancel_url"] = base_for_links + "/cap/" + std::to_string(a.id) + "-cancel.xml";
  }
  if (a.expires_at) {
    v["expires_iso"] = domain::format_rfc3339_utc(*a.expires_at);
    v["expires_text"] = domain::rome_time_text(*a.expires_at);
  }
  if (a.attachment) {
    v["attachment"] = {{"url", base_for_links + attachment_path(a.id)},
                       {"name", attachment_filename(a)},
                       {"kind", attachment_kind(a.attachment->mime_type)},
                       {"size_text", size_text(a.attachment->size)},
                       {"is_image", a.attachment->mime_type.rfind("image/", 0) == 0},
                       {"alt", a.title}};
  }
  return v;
}

// The next instant a page showing these alerts reads differently by
// itself: the first expiry still ahead.
std::int64_t next_expiry(const std::vector<store::public_alert>& alerts, std::int64_t now) {
  std::int64_t out = INT64_MAX;
  for (const auto& a : alerts)
    if (a.expires_at && *a.expires_at > now) out = std::min(out, *a.expires_at);
  return out;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || p != text.data() + text.size() || id <= 0 || text.size() > 18) return std::nullopt;
  return id;
}

std::string query_escape(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

struct public_pages::impl : std::enable_shared_from_this<impl> {
  public_site site;
  store::public_alerts* alerts = nullptr;
  store::audience* audience = nullptr;

  std::unordered_map<std::string, cached_page> cache;
  std::int64_t store_version = 0;
  std::int64_t version_checked_at = INT64_MIN / 2;
  bool dirty = true;

  std::int64_t now() const { return site.now ? site.now() : domain::now_ms(); }

  json site_data() const {
    return {{"site_name", site.name}, {"feed_url", "/avvisi.atom"}};
  }

  // --- conditional answers ---------------------------------------------------------

  static http::response answer(const http::request& req, const cached_page& c) {
    http::response res;
    res.status = c.p.status;
    res.content_type = c.p.content_type;
    res.headers.push_back({"Content-Security-Policy", c.p.policy});
    res.headers.push_back({"Referrer-Policy", "no-referrer"});
    if (c.p.status != 200) {
      res.body = c.p.body;
      return res;
    }
    res.headers.push_back({"Cache-Control", c.p.cache_control});
    res.headers.push_back({"ETag", c.etag});
    res.headers.push_back({"Last-Modified", http::http_date(c.last_modified_ms)});
    // RFC 9110 13.1.3: If-Modified-Since only when If-None-Match is absent.
    const auto inm = req.header("If-None-Match");
    bool not_modified = false;
    if (!inm.empty()) {
      not_modified = http::none_match_hits(inm, c.etag);
    } else if (auto ims = http::parse_http_date(req.header("If-Modified-Since"))) {
      not_modified = c.last_modified_ms / 1000 <= *ims / 1000;
    }
    if (not_modified) {
      res.status = 304;
      return res;
    }
    res.body = c.p.body;
    return res;
  }

  // Serves key from memory while nothing changed, else renders it again.
  asio::awaitable<http::response> cached(const http::request& req, std::string key,
                                         std::function<asio::awaitable<page>()> render) {
    auto t = now();
    if (dirty || t - version_checked_at >= site.recheck_ms) {
      dirty = false;
      version_checked_at = t;
      store_version = co_await alerts->public_version();
      t = now();
    }
    if (auto it = cache.find(key); it != cache.end()) {
      const auto& c = it->second;
      if (c.version == store_version && t < c.p.valid_until && t - c.rendered_at < site.max_age_ms)
        co_return answer(req, c);
    }
    const auto version = store_version;
    page p = co_await render();
    cached_page fresh;
    fresh.etag = "\"" + crypto::to_hex(std::string_view(reinterpret_cast<const char*>(crypto::sha256(p.body).data()), 12)) + "\"";
    fresh.rendered_at = t;
    fresh.version = version;
    fresh.last_modified_ms = t;
    if (auto it = cache.find(key); it != cache.end() && it->second.etag == fresh.etag)
      fresh.last_modified_ms = it->second.last_modified_ms;  // the same bytes: not modified since
    fresh.p = std::move(p);
    if (fresh.p.status != 200) co_return answer(req, fresh);  // errors are not kept
    if (cache.size() >= max_cached_pages) cache.clear();
    auto& stored = cache[key] = std::move(fresh);
    co_return answer(req, stored);
  }

  page error_page(int status, std::string title, std::string detail) const {
    auto data = site_data();
    data["title"] = title;
    data["detail"] = detail;
    page p;
    p.status = status;
    p.body = web::render_page("error", data);
    return p;
  }

  // --- the pages ---------------------------------------------------------------------

  asio::awaitable<page> home() {
    const auto catalogue = co_await audience->catalogue();
    store::public_alert_query q;
    q.limit = 3;
    const auto latest = co_await alerts->public_list(q);
    const auto t = now();
    auto data = site_data();
    data["title"] = "Come iscriversi";
    data["nav_home"] = true;
    data["example_topic"] = example_topic(catalogue);
    json towns = json::array();
    for (const auto& town : catalogue.towns) {
      json v = {{"id", town.id}, {"name", town.name}, {"short_name", short_town_name(town.name)}};
      add_join(v, town, catalogue.towns.size());
      json areas = json::array();
      for (const auto& a : catalogue.areas)
        if (a.town_id == town.id) areas.push_back({{"name", a.name}});
      v["has_areas"] = !areas.empty();
      v["areas"] = std::move(areas);
      towns.push_back(std::move(v));
    }
    data["towns"] = std::move(towns);
    json topics = json::array();
    for (const auto& topic : catalogue.topics) topics.push_back({{"id", topic.id}, {"name", topic.name}});
    data["has_topics"] = !topics.empty();
    data["topics"] = std::move(topics);
    json items = json::array();
    for (const auto& a : latest) items.push_back(alert_view(a, t, ""));
    data["alerts"] = std::move(items);
    page p;
    p.body = web::render_page("home", data);
    p.valid_until = next_expiry(latest, t);
    co_return p;
  }

  // The number, its click-to-chat link and QR code for one town: with
  // several towns the text names the town, so the first message already
  // says which one.
  void add_join(json& v, const domain::town& town, std::size_t towns) const {
    if (site.number.empty()) {
      v["number"] = nullptr;
      return;
    }
    const std::string join_text = towns > 1 ? "ATTIVA " + short_town_name(town.name) : "ATTIVA";
    const auto url = web::click_to_chat_url(site.number, join_text);
    v["number"] = site.number;
    v["join_text"] = join_text;
    v["chat_url"] = url;
    v["qr_svg"] = web::qr_svg(web::qr_encode(url), "Codice QR: apre WhatsApp per scrivere " + join_text + " al " +
                                                       site.number);
  }

  asio::awaitable<page> poster(std::string town_id) {
    const auto catalogue = co_await audience->catalogue();
    auto it = std::find_if(catalogue.towns.begin(), catalogue.towns.end(),
                           [&](const domain::town& t) { return t.id == town_id; });
    if (it == catalogue.towns.end())
      co_return error_page(404, "Comune non trovato", "Non c'è un comune con questo nome tra quelli del servizio.");
    if (site.number.empty())
      co_return error_page(404, "Numero non pubblicato",
                           "Il numero WhatsApp del servizio non è ancora stato pubblicato: il manifesto non è pronto.");
    auto data = site_data();
    data["title"] = "Manifesto per " + it->name;
    data["body_class"] = "poster-page";
    data["town_name"] = it->name;
    data["example_topic"] = example_topic(catalogue);
    data["archive_url"] = site.base_url + "/avvisi";
    add_join(data, *it, catalogue.towns.size());
    page p;
    p.body = web::render_page("poster", data);
    co_return p;
  }

  // The town and topic a page is filtered by, checked against the
  // catalogue: an error page when one is unknown.
  std::optional<page> check_filters(const std::string& town, const std::string& topic,
                                    const domain::audience_catalogue& c) const {
    if (!town.empty() && std::none_of(c.towns.begin(), c.towns.end(), [&](const auto& t) { return t.id == town; }))
      return error_page(400, "Comune sconosciuto", "Il filtro «comune» non corrisponde a nessun comune del servizio.");
    if (!topic.empty() && std::none_of(c.topics.begin(), c.topics.end(), [&](const auto& t) { return t.id == topic; }))
      return error_page(400, "Argomento sconosciuto", "Il filtro «argomento» non corrisponde a nessun argomento.");
    return std::nullopt;
  }

  asio::awaitable<page> archive(std::int64_t before, std::string town, std::string topic) {
    const auto catalogue = co_await audience->catalogue();
    if (auto problem = check_filters(town, topic, catalogue)) co_return std::move(*problem);
    store::public_alert_query q;
    q.before_id = before;
    q.limit = archive_page + 1;
    q.town = town;
    q.topic = topic;
    auto list = co_await alerts->public_list(q);
    const bool more = list.size() > archive_page;
    if (more) list.resize(archive_page);
    const auto t = now();
    auto data = site_data();
    data["title"] = "Avvisi";
    data["nav_alerts"] = true;
    std::string filter_query;
    if (!town.empty()) filter_query += "&comune=" + query_escape(town);
    if (!topic.empty()) filter_query += "&argomento=" + query_escape(topic);
    json items = json::array();
    for (const auto& a : list) {
      auto v = alert_view(a, t, "");
      v["top_level"] = true;  // under the page's h1
      items.push_back(std::move(v));
    }
    data["alerts"] = std::move(items);
    json towns = json::array();
    for (const auto& x : catalogue.towns) towns.push_back({{"id", x.id}, {"name", x.name}, {"selected", x.id == town}});
    json topics = json::array();
    for (const auto& x : catalogue.topics) topics.push_back({{"id", x.id}, {"name", x.name}, {"selected", x.id == topic}});
    data["many_towns"] = towns.size() > 1;
    data["has_topics"] = !topics.empty();
    data["has_filters"] = towns.size() > 1 || !topics.empty();
    data["towns"] = std::move(towns);
    data["topics"] = std::move(topics);
    if (more) data["older_url"] = "/avvisi?prima=" + std::to_string(list.back().id) + filter_query;
    if (before > 0) data["newer_url"] = filter_query.empty() ? "/avvisi" : "/avvisi?" + filter_query.substr(1);
    page p;
    p.body = web::render_page("alerts", data);
    p.valid_until = next_expiry(list, t);
    co_return p;
  }

  asio::awaitable<page> alert_page(std::int64_t id) {
    auto a = co_await alerts->public_alert_by_id(id);
    if (!a) co_return error_page(404, "Avviso non trovato", "Non c'è un avviso pubblico con questo numero.");
    const auto catalogue = co_await audience->catalogue();
    const auto t = now();
    auto data = site_data();
    auto view = alert_view(*a, t, "");
    data.update(view);
    data["nav_alerts"] = true;
    // Where and for whom, as the alert was addressed: its towns (or its
    // areas, each with its town) and the topics it names.
    const auto places = places_of(a->audience, catalogue);
    std::string where;
    auto add = [](std::string& list, const std::string& item) { list += (list.empty() ? "" : ", ") + item; };
    if (places.areas.empty()) {
      for (const auto& town : places.towns) add(where, town.name);
    } else {
      for (const auto& ar : places.areas)
        for (const auto& town : places.towns)
          if (town.id == ar.town_id) add(where, ar.name + " (" + town.name + ")");
    }
    if (!where.empty()) data["towns_text"] = where;
    if (a->audience.topics) {
      std::string topics;
      for (const auto& topic : catalogue.topics)
        if (std::find(a->audience.topics->begin(), a->audience.topics->end(), topic.id) !=
            a->audience.topics->end())
          add(topics, topic.name);
      if (!topics.empty()) data["topics_text"] = topics;
    }
    page p;
    p.body = web::render_page("alert", data);
    p.valid_until = next_expiry({*a}, t);
    co_return p;
  }

  web::atom_entry entry_of(const store::public_alert& a) const {
    web::atom_entry e;
    e.id = site.base_url + "/avvisi/" + std::to_string(a.id);
    e.title = a.cancelled_at ? "ANNULLATO: " + a.title
              : a.updates    ? "AGGIORNAMENTO: " + a.title
                             : a.title;
    e.summary = a.text;
    e.link = e.id;
    e.published_ms = a.created_at;
    e.updated_ms = changed_at(a);
    e.categories = {category_label(a.category), severity_word(a.severity)};
    if (a.attachment)
      e.links.push_back({"enclosure", site.base_url + attachment_path(a.id), a.attachment->mime_type, a.attachment->size});
    return e;
  }

  asio::awaitable<page> feed(std::string town) {
    const auto catalogue = co_await audience->catalogue();
    if (auto problem = check_filters(town, "", catalogue)) co_return std::move(*problem);
    store::public_alert_query q;
    q.limit = feed_entries;
    q.town = town;
    const auto list = co_await alerts->public_list(q);
    web::atom_feed f;
    const std::string self = site.base_url + "/avvisi.atom" + (town.empty() ? "" : "?comune=" + query_escape(town));
    f.id = self;
    f.self = self;
    f.alternate = site.base_url + "/avvisi" + (town.empty() ? "" : "?comune=" + query_escape(town));
    f.title = site.name;
    for (const auto& t : catalogue.towns)
      if (t.id == town) f.title = "Avvisi: " + t.name;
    co_return atom_page(std::move(f), list, [this](const store::public_alert& a) { return entry_of(a); });
  }

  // The feed's entries, one per alert, and its time: the latest change of
  // any of them (now when there is none).
  template <class EntryOf>
  page atom_page(web::atom_feed f, const std::vector<store::public_alert>& list, EntryOf entry) const {
    f.author = site.name;
    f.updated_ms = 0;
    for (const auto& a : list) {
      f.entries.push_back(entry(a));
      f.updated_ms = std::max(f.updated_ms, changed_at(a));
    }
    if (list.empty()) f.updated_ms = now();
    page p;
    p.content_type = atom_type;
    p.body = web::atom_xml(f);
    return p;
  }

  asio::awaitable<page> widget() {
    store::public_alert_query q;
    q.limit = widget_entries;
    const auto list = co_await alerts->public_list(q);
    const auto t = now();
    auto data = site_data();
    data["base_url"] = site.base_url;
    json items = json::array();
    for (const auto& a : list) {
      auto v = alert_view(a, t, site.base_url);
      v["target"] = "_blank";
      v["top_level"] = true;
      items.push_back(std::move(v));
    }
    data["alerts"] = std::move(items);
    page p;
    p.body = web::render("widget", data);
    p.policy = widget_policy;
    p.valid_until = next_expiry(list, t);
    co_return p;
  }

  cap_publisher publisher() const {
    cap_publisher out;
    out.sender = site.cap_sender;
    if (out.sender.empty()) {
      auto host = site.base_url.substr(site.base_url.find("://") + 3);
      out.sender = host.substr(0, host.find('/'));
    }
    out.sender_name = site.name;
    out.base_url = site.base_url;
    return out;
  }

  asio::awaitable<page> cap_document(std::string name) {
    bool cancel = false;
    std::string_view stem = name;
    if (stem.size() > 4 && stem.substr(stem.size() - 4) == ".xml") stem.remove_suffix(4);
    else co_return error_page(404, "Documento non trovato", "I documenti CAP hanno indirizzi come /cap/12.xml.");
    if (stem.size() > 7 && stem.substr(stem.size() - 7) == "-cancel") {
      cancel = true;
      stem.remove_suffix(7);
    }
    const auto id = parse_id(stem);
    if (!id) co_return error_page(404, "Documento non trovato", "I documenti CAP hanno indirizzi come /cap/12.xml.");
    const auto a = co_await alerts->public_alert_by_id(*id);
    if (!a || (cancel && !a->cancelled_at))
      co_return error_page(404, "Documento non trovato", "Non c'è un documento CAP pubblico con questo numero.");
    const auto catalogue = co_await audience->catalogue();
    const auto pub = publisher();
    page p;
    p.content_type = cap_type;
    std::optional<store::public_alert> earlier;
    if (a->updates && !cancel) earlier = co_await alerts->public_alert_by_id(*a->updates);
    // The resource's digest is the SHA-1 of the bytes (CAP 1.2 3.2.3),
    // which the store does not keep: read once per rendering.
    std::string sha1;
    if (a->attachment)
      if (auto file = co_await alerts->public_attachment_content(*id)) sha1 = crypto::sha1_hex(file->bytes);
    p.body = cap::cap_xml(cancel ? cap_cancel_of(*a, pub, catalogue, sha1)
                                 : cap_alert_of(*a, pub, catalogue, earlier ? &*earlier : nullptr, sha1));
    co_return p;
  }

  asio::awaitable<page> cap_index_feed() {
    store::public_alert_query q;
    q.limit = feed_entries;
    const auto list = co_await alerts->public_list(q);
    web::atom_feed f;
    f.id = site.base_url + "/cap/index.atom";
    f.self = f.id;
    f.alternate = site.base_url + "/cap/";
    f.title = site.name + " (CAP)";
    co_return atom_page(std::move(f), list, [this](const store::public_alert& a) {
      // A cancelled alert is listed by its Cancel, which references the
      // alert: an aggregator that had it withdraws it.
      auto e = entry_of(a);
      e.id = site.base_url + "/cap/" + std::to_string(a.id) + (a.cancelled_at ? "-cancel" : "") + ".xml";
      e.link = e.id;
      e.link_type = "application/cap+xml";
      return e;
    });
  }

  // The attachment's bytes, not kept in the pages' memory (a document may
  // be large): the store is asked for its ETag first, so a revalidation
  // reads no bytes.
  asio::awaitable<http::response> attachment(const http::request& req, std::int64_t id) {
    auto missing = [&] {
      auto p = error_page(404, "Allegato non trovato", "Non c'è un avviso pubblico con questo numero e un allegato.");
      return answer(req, cached_page{std::move(p), {}, 0, 0, 0});
    };
    const auto a = co_await alerts->public_alert_by_id(id);
    if (!a || !a->attachment) co_return missing();
    http::response res;
    res.content_type = a->attachment->mime_type;
    const auto etag = "\"" + a->attachment->sha256 + "\"";
    res.headers.push_back({"Cache-Control", "public, max-age=30"});
    res.headers.push_back({"ETag", etag});
    res.headers.push_back({"X-Content-Type-Options", "nosniff"});
    res.headers.push_back({"Referrer-Policy", "no-referrer"});
    if (http::none_match_hits(req.header("If-None-Match"), etag)) {
      res.status = 304;
      co_return res;
    }
    auto file = co_await alerts->public_attachment_content(id);
    if (!file) co_return missing();  // hidden or changed since
    res.headers.push_back({"Content-Disposition", content_disposition(attachment_filename(*a))});
    res.body = std::move(file->bytes);
    co_return res;
  }

  asio::awaitable<page> cap_index_page() {
    store::public_alert_query q;
    q.limit = feed_entries;
    const auto list = co_await alerts->public_list(q);
    const auto t = now();
    auto data = site_data();
    data["title"] = "Avvisi in formato CAP";
    json items = json::array();
    for (const auto& a : list) items.push_back(alert_view(a, t, ""));
    data["alerts"] = std::move(items);
    page p;
    p.body = web::render_page("cap_index", data);
    co_return p;
  }
};

public_pages::public_pages(public_site site, store::public_alerts* alerts, store::audience* audience)
    : impl_(std::make_shared<impl>()) {
  impl_->site = std::move(site);
  impl_->alerts = alerts;
  impl_->audience = audience;
}

public_pages::~public_pages() = default;

void public_pages::alerts_changed() { impl_->dirty = true; }

void public_pages::set_base_url(std::string url) {
  impl_->site.base_url = std::move(url);
  impl_->cache.clear();
}

void public_pages::add_routes(http::router& routes) {
  auto self = impl_;
  routes.add("GET", "/", [self](http::request& req) -> asio::awaitable<http::response> {
    std::function<asio::awaitable<page>()> render = [self] { return self->home(); };
    const std::string key = "/";
    co_return co_await self->cached(req, key, std::move(render));
  });
  routes.add("GET", "/manifesto/{town}", [self](http::request& req) -> asio::awaitable<http::response> {
    const auto town = req.path_params["town"];
    std::function<asio::awaitable<page>()> render = [self, town] { return self->poster(town); };
    const auto key = "/manifesto/" + town;
    co_return co_await self->cached(req, key, std::move(render));
  });
  routes.add("GET", "/avvisi", [self](http::request& req) -> asio::awaitable<http::response> {
    std::int64_t before = 0;
    if (auto prima = req.query_param("prima")) {
      auto id = parse_id(*prima);
      if (!id) {
        auto bad = self->error_page(400, "Pagina non valida", "Il parametro «prima» deve essere il numero di un avviso.");
        co_return impl::answer(req, cached_page{std::move(bad), {}, 0, 0, 0});
      }
      before = *id;
    }
    // The filters are checked against the catalogue when the page is
    // rendered; a page served from memory was checked then.
    const auto town = req.query_param("comune").value_or("");
    const auto topic = req.query_param("argomento").value_or("");
    const auto key = "/avvisi?" + std::to_string(before) + "&" + town + "&" + topic;
    std::function<asio::awaitable<page>()> render = [self, before, town, topic] {
      return self->archive(before, town, topic);
    };
    co_return co_await self->cached(req, key, std::move(render));
  });
  routes.add("GET", "/avvisi/{id}", [self](http::request& req) -> asio::awaitable<http::response> {
    const auto id = parse_id(req.path_params["id"]);
    if (!id) {
      auto missing = self->error_page(404, "Avviso non trovato", "Gli avvisi hanno indirizzi come /avvisi/12.");
      co_return impl::answer(req, cached_page{std::move(missing), {}, 0, 0, 0});
    }
    const auto n = *id;
    std::function<asio::awaitable<page>()> render = [self, n] { return self->alert_page(n); };
    const auto key = "/avvisi/" + std::to_string(n);
    co_return co_await self->cached(req, key, std::move(render));
  });
  routes.add("GET", "/avvisi/{id}/allegato", [self](http::request& req) -> asio::awaitable<http::response> {
    const auto id = parse_id(req.path_params["id"]);
    if (!id) {
      auto missing = self->error_page(404, "Allegato non trovato", "Gli allegati hanno indirizzi come /avvisi/12/allegato.");
      co_return impl::answer(req, cached_page{std::move(missing), {}, 0, 0, 0});
    }
    co_return co_await self->attachment(req, *id);
  });
  routes.add("GET", "/avvisi.atom", [self](http::request& req) -> asio::awaitable<http::response> {
    const auto town = req.query_param("comune").value_or("");
    std::function<asio::awaitable<page>()> render = [self, town] { return self->feed(town); };
    const auto key = "/avvisi.atom?" + town;
    co_return co_await self->cached(req, key, std::move(render));
  });
  routes.add("GET", "/widget", [self](http::request& req) -> asio::awaitable<http::response> {
    std::function<asio::awaitable<page>()> render = [self] { return self->widget(); };
    const std::string key = "/widget";
    co_return co_await self->cached(req, key, std::move(render));
  });
  routes.add("GET", "/cap", [self](http::request& req) -> asio::awaitable<http::response> {
    std::function<asio::awaitable<page>()> render = [self] { return self->cap_index_page(); };
    const std::string key = "/cap";
    co_return co_await self->cached(req, key, std::move(render));
  });
  routes.add("GET", "/cap/index.atom", [self](http::request& req) -> asio::awaitable<http::response> {
    std::function<asio::awaitable<page>()> render = [self] { return self->cap_index_feed(); };
    const std::string key = "/cap/index.atom";
    co_return co_await self->cached(req, key, std::move(render));
  });
  routes.add("GET", "/cap/{document}", [self](http::request& req) -> asio::awaitable<http::response> {
    const auto name = req.path_params["document"];
    std::function<asio::awaitable<page>()> render = [self, name] { return self->cap_document(name); };
    const auto key = "/cap/" + name;
    co_return co_await self->cached(req, key, std::move(render));
  });
  routes.add("GET", "/static/{file}", [](http::request& req) -> asio::awaitable<http::response> {
    const auto name = req.path_params["file"];
    auto text = web::static_file(name);
    http::response res;
    if (!text || name.size() < 5 || name.substr(name.size() - 4) != ".css") {
      res.status = 404;
      res.content_type = "text/plain; charset=utf-8";
      res.body = "not found\n";
      co_return res;
    }
    // The styles change only with the binary: a day in caches, and the
    // ETag for the revalidation after it.
    const auto etag = "\"" + crypto::to_hex(std::string_view(
                                 reinterpret_cast<const char*>(crypto::sha256(*text).data()), 12)) + "\"";
    res.content_type = "text/css; charset=utf-8";
    res.headers.push_back({"Cache-Control", "public, max-age=86400"});
    res.headers.push_back({"ETag", etag});
    if (http::none_match_hits(req.header("If-None-Match"), etag)) {
      res.status = 304;
      co_return res;
    }
    res.body = std::string(*text);
    co_return res;
  });
}

}  // namespace banditore::app
