// The WhatsApp Cloud API channel: POST {base}/{version}/{phone-number-id}/messages
// (and /media for an attachment) with a bearer token over kept-alive connections. Its base URL is
// configuration, so tests and the local demo point it at wa-sim.
#pragma once

#include <banditore/dispatch/channel.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace banditore::whatsapp {

struct cloud_channel_options {
  std::string api_base = "https://graph.facebook.com";
  std::string api_version = "v24.0";
  std::string phone_number_id;
  std::string token;
  std::size_t max_connections = 32;
  std::chrono::milliseconds request_timeout{15'000};
  std::string ca_file;
};

class cloud_channel final : public dispatch::channel {
 public:
  cloud_channel(boost::asio::any_io_executor executor, cloud_channel_options options);
  ~cloud_channel() override;

  boost::asio::awaitable<dispatch::send_outcome> send(const dispatch::outgoing_message& message) override;
  // POST {base}/{version}/{phone-number-id}/media, multipart/form-data.
  boost::asio::awaitable<dispatch::upload_outcome> upload_media(std::string mime_type, std::string filename,
                                                                std::string bytes) override;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace banditore::whatsapp
