// cookieseal - the command-line tool's JSON: reading input, and Session <-> JSON (docs/CLI.md §JSON)
#pragma once

#include <cookieseal/session.hpp>

#include <nlohmann/json.hpp>

#include <string_view>

namespace cookieseal::cli {

/// Parses JSON text. Throws UsageError (naming the line and column) for invalid JSON, and for
/// an integer written without '.' or exponent that does not fit in int64 (nlohmann would
/// otherwise turn it into a double silently).
[[nodiscard]] nlohmann::json parse_json(std::string_view text);

/// `decode`'s output: {"session": {key: value, ...}, "meta": {cookie_name, id, created_at,
/// expires_at, key_id, needs_reseal}}. Values keep their type (true, 3, 3.0, "3"); a string
/// that is not UTF-8 has its bad bytes replaced by U+FFFD when printed.
[[nodiscard]] nlohmann::ordered_json session_to_json(const Session& session, std::string_view cookie_name);

/// Stores `input` into `session`: either a bare object of values, or decode's whole output
/// (then "session" holds the values and "meta" is ignored). Strings, integers, floats and
/// booleans map to the Session's value types; anything else (null, an array, an object, an
/// integer outside int64) is a UsageError naming the key.
void json_to_session(const nlohmann::json& input, Session& session);

}  // namespace cookieseal::cli
