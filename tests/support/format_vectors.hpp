// cookieseal tests - the test vectors of docs/FORMAT.md, read from the document itself
#pragma once

#include <cookieseal/error.hpp>
#include <cookieseal/key.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace test_support {

/// The payload of vector 3: `struct { std::uint64_t id; std::string name; bool admin; }`.
struct FormatUser {
  std::uint64_t id = 0;
  std::string name;
  bool admin = false;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id, name, admin);
  }
};

/// An empty struct: the payload of vector 2 (cereal writes nothing for it).
struct FormatEmpty {
  template <class Archive>
  void serialize(Archive& /*ar*/) {}
};

/// One "**Vector N.**" paragraph of §Test vectors and the cookie text under it.
struct SealedVector {
  int number = 0;
  std::string key_text;  ///< Key::parse text of the key, from §Keys
  std::string name;
  std::uint64_t expires_at = 0;
  std::array<std::uint8_t, 24> nonce{};
  std::string plaintext;  ///< raw bytes
  std::string text;       ///< the cookie value
};

/// The type a vector is decoded as ("decoded as ..."); std::string unless the row says so.
enum class PayloadType { string, empty_struct, u64, user };

/// One row of §Negative vectors, with the document's defaults filled in.
struct NegativeVector {
  std::string input;                 ///< the row's first column, for messages
  std::string text;                  ///< the cookie value presented
  std::vector<std::string> keyring;  ///< key texts, primary first
  std::string name;
  std::int64_t now = 0;
  std::int64_t leeway = 0;
  std::size_t max_value_bytes = 0;
  PayloadType type = PayloadType::string;
  std::optional<cookieseal::Error> error;  ///< nullopt: the row says it opens
  bool needs_reseal = false;
  bool listed_below = false;  ///< "(below)", ", below)": the changed text is written out after the table
};

/// Everything §Test vectors holds. `problems` lists what could not be read (an unknown
/// phrase in a row, a missing field): a non-empty list is a failure of the document or of
/// this reader, never something to skip.
struct FormatVectors {
  std::vector<SealedVector> sealed;
  std::vector<NegativeVector> negative;
  std::vector<std::string> changed_texts;  ///< the code block after the negative table
  std::vector<std::string> problems;
};

/// Reads the markdown of docs/FORMAT.md.
FormatVectors read_format_vectors(std::string_view markdown);
/// Reads docs/FORMAT.md of the source tree (COOKIESEAL_SOURCE_ROOT).
FormatVectors read_format_md();

}  // namespace test_support
