// cookieseal - the command-line tool's JSON: reading input, and Session <-> JSON
#include "session_json.hpp"

#include "cli.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <variant>

namespace cookieseal::cli {
namespace {

// A SAX pass that only looks at numbers: nlohmann gives the original text of a number it
// stores as a double, so an integer too large for int64 (read as uint64 or as a double) is
// caught here, before the DOM is built.
struct IntegerRangeCheck : nlohmann::json_sax<nlohmann::json> {
  std::string too_large;  // the first offending number's text

  bool number_unsigned(number_unsigned_t v) override {
    if (v > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) {
      too_large = std::to_string(v);
      return false;
    }
    return true;
  }
  bool number_float(number_float_t, const string_t& text) override {
    if (text.find_first_of(".eE") == string_t::npos) {  // written as an integer
      too_large = text;
      return false;
    }
    return true;
  }
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;  // reported by the DOM parse below, with its position
  }
};

std::string_view type_name(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::number_unsigned: return "an integer beyond int64";
    default: return v.type_name();
  }
}

}  // namespace

nlohmann::json parse_json(std::string_view text) {
  IntegerRangeCheck check;
  if (!nlohmann::json::sax_parse(text, &check) && !check.too_large.empty()) {
    throw UsageError("integer " + check.too_large + " does not fit a session integer (int64)");
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw UsageError(std::string("invalid JSON: ") + e.what());
  }
}

nlohmann::ordered_json session_to_json(const Session& session, std::string_view cookie_name) {
  nlohmann::ordered_json values = nlohmann::ordered_json::object();
  for (const auto& [key, value] : session.entries()) {
    std::visit([&, &k = key](const auto& v) { values[k] = v; }, value);
  }
  nlohmann::ordered_json meta = nlohmann::ordered_json::object();
  meta["cookie_name"] = cookie_name;
  meta["id"] = session.id().hex();
  meta["created_at"] = format_utc(session.created_at());
  meta["expires_at"] =
      session.expires_at() ? nlohmann::ordered_json(format_utc(*session.expires_at())) : nullptr;
  meta["key_id"] = session.key_id() ? nlohmann::ordered_json(session.key_id()->hex()) : nullptr;
  meta["needs_reseal"] = session.needs_reseal();
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["session"] = std::move(values);
  out["meta"] = std::move(meta);
  return out;
}

void json_to_session(const nlohmann::json& input, Session& session) {
  if (!input.is_object()) {
    throw UsageError(std::string("expected a JSON object of session values, got ") +
                     std::string(type_name(input)));
  }
  const nlohmann::json* values = &input;
  // decode's whole output: a "session" object (a Session never holds an object, so a bare
  // object of values cannot look like this).
  if (auto it = input.find("session"); it != input.end() && it->is_object()) {
    for (const auto& [key, v] : input.items()) {
      if (key != "session" && key != "meta") {
        throw UsageError("unexpected key \"" + key + R"(" beside "session" (only "meta" may be there))");
      }
    }
    values = &*it;
  }
  for (const auto& [key, v] : values->items()) {
    switch (v.type()) {
      case nlohmann::json::value_t::boolean: session.set(key, v.get<bool>()); break;
      case nlohmann::json::value_t::number_integer: session.set(key, v.get<std::int64_t>()); break;
      case nlohmann::json::value_t::number_float: session.set(key, v.get<double>()); break;
      case nlohmann::json::value_t::string: session.set(key, v.get<std::string>()); break;
      case nlohmann::json::value_t::number_unsigned:  // parse_json refuses those beyond int64
        if (v.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          session.set(key, static_cast<std::int64_t>(v.get<std::uint64_t>()));
          break;
        }
        [[fallthrough]];
      default:
        throw UsageError("\"" + key + "\": " + std::string(type_name(v)) +
                         " cannot be stored in a session (only strings, integers, floats, booleans)");
    }
  }
}

}  // namespace cookieseal::cli
