// The one translation unit that compiles Asio, Asio.SSL, Beast and Boost.JSON
// (BOOST_ASIO_SEPARATE_COMPILATION, BOOST_BEAST_SEPARATE_COMPILATION).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
// Boost.JSON's out-of-line parts (its event parser is used in json/sax.hpp).
#include <boost/json/src.hpp>
