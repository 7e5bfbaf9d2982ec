// cookieseal - reading a Boost.Beast request for the adapter (include <cookieseal/beast.hpp>)
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/csrf.hpp>
#include <cookieseal/middleware.hpp>
#include <cookieseal/session.hpp>
#include <cookieseal/session_manager.hpp>

#include <boost/beast/http/message.hpp>  // http::request, http::response, fields
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace cookieseal::beast {

namespace detail {
namespace http = boost::beast::http;

// beast::string_view is boost::string_view in Boost 1.74, which does not convert by itself.
template <class View>
std::string_view view(const View& s) {
  return {s.data(), s.size()};
}

template <class Fields>
std::string_view field(const Fields& fields, std::string_view name) {
  return view(fields[boost::beast::string_view(name.data(), name.size())]);
}

template <class Body, class Fields>
RequestHeaders headers_of(const http::request<Body, Fields>& req, const CsrfOptions& csrf) {
  const std::string_view target = view(req.target());
  return {view(req.method_string()),
          target.substr(0, target.find('?')),
          field(req, "Cookie"),
          field(req, "Host"),
          field(req, "Origin"),
          field(req, "Sec-Fetch-Site"),
          field(req, "X-Forwarded-Proto"),
          field(req, csrf.header_name)};
}

// The form field of an urlencoded string body; nothing for other bodies and content types.
template <class Body, class Fields>
std::string form_token(const http::request<Body, Fields>& req, const CsrfOptions& csrf) {
  if constexpr (std::is_same_v<typename Body::value_type, std::string>) {
    if (field(req, "Content-Type").starts_with("application/x-www-form-urlencoded")) {
      return form_value(req.body(), csrf.form_field).value_or("");
    }
  }
  return {};
}
}  // namespace detail

}  // namespace cookieseal::beast
