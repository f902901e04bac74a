#include <banditore/http/router.hpp>

#include <doctest/doctest.h>

using namespace banditore::http;

namespace {
handler answer(int status) {
  return [status](request&) -> boost::asio::awaitable<response> {
    response res;
    res.status = status;
    res.content_type = "text/plain";
    co_return res;
  };
}
request make(std::string method, std::string path) {
  request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}
}  // namespace

TEST_CASE("a pattern segment in braces captures one path segment") {
  router r;
  r.add("GET", "/v1/alerts/{id}", answer(200));
  auto req = make("GET", "/v1/alerts/42");
  int status = 0;
  CHECK(r.match(req, status) != nullptr);
  CHECK(req.path_params["id"] == "42");
}

TEST_CASE("an unknown path is 404 and a known path with another method is 405") {
  router r;
  r.add("POST", "/webhook/whatsapp", answer(200));
  int status = 0;
  auto unknown = make("GET", "/nowhere");
  CHECK(r.match(unknown, status) == nullptr);
  CHECK(status == 404);
  auto wrong = make("DELETE", "/webhook/whatsapp");
  CHECK(r.match(wrong, status) == nullptr);
  CHECK(status == 405);
}

TEST_CASE("HEAD is served by the GET handler and trailing slashes do not matter") {
  router r;
  r.add("GET", "/healthz", answer(200));
  int status = 0;
  auto head = make("HEAD", "/healthz/");
  CHECK(r.match(head, status) != nullptr);
}

TEST_CASE("the registered routes are listed for the API document") {
  router r;
  r.add("GET", "/a", answer(200));
  r.add("POST", "/b/{x}", answer(200));
  auto routes = r.routes();
  REQUIRE(routes.size() == 2);
  CHECK(routes[1].method == "POST");
  CHECK(routes[1].pattern == "/b/{x}");
}

TEST_CASE("a literal path beats a pattern with parameters whatever the order") {
  router r;
  r.add("POST", "/{version}/{id}/messages", answer(201));
  r.add("POST", "/sim/citizens/messages", answer(202));
  auto req = make("POST", "/sim/citizens/messages");
  int status = 0;
  auto h = r.match(req, status);
  REQUIRE(h != nullptr);
  CHECK(req.path_params.empty());
}
