// Runs a coroutine to its end on a private io_context and returns its
// value (or throws its exception): how a test calls an awaitable store
// interface or handler without a server.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace banditore::testing {

template <class T>
T run_blocking(boost::asio::awaitable<T> work) {
  boost::asio::io_context io;
  std::optional<T> out;
  std::exception_ptr error;
  auto done = [&out, &error](std::exception_ptr e, T value) {
    error = e;
    if (!e) out.emplace(std::move(value));
  };
  boost::asio::co_spawn(io, std::move(work), done);
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

inline void run_blocking(boost::asio::awaitable<void> work) {
  boost::asio::io_context io;
  std::exception_ptr error;
  auto done = [&error](std::exception_ptr e) { error = e; };
  boost::asio::co_spawn(io, std::move(work), done);
  io.run();
  if (error) std::rethrow_exception(error);
}

}  // namespace banditore::testing
