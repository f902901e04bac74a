// A website on loopback that banditore polls (a CAP publisher's feed, a
// town's news feed): the test adds its routes, then starts it; it serves on
// its own thread until destroyed.
#pragma once

#include <banditore/http/router.hpp>
#include <banditore/http/server.hpp>

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <thread>

namespace harness {

struct loopback_site {
  boost::asio::io_context io{1};
  banditore::http::router routes;
  std::unique_ptr<banditore::http::server> server;
  std::thread thread;

  void start() {
    banditore::http::server_options o;
    o.address = "127.0.0.1";
    o.port = 0;
    server = std::make_unique<banditore::http::server>(io, o, routes);
    server->start();
    thread = std::thread([this] { io.run(); });
  }

  // A derived site calls this in its own destructor, so no handler runs
  // while the members it uses are being destroyed.
  void stop() {
    io.stop();
    if (thread.joinable()) thread.join();
  }
  ~loopback_site() { stop(); }

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(server->port()); }
  std::string url(const std::string& path) const { return origin() + path; }
};

}  // namespace harness
