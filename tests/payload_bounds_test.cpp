// Tests for include/cookieseal/detail/archive.hpp through Codec::decode: what an authentic but
// hostile payload can make the reader allocate, and how deep it can make it recurse
#include <cookieseal/codec.hpp>

#include "allocation_counter.hpp"
#include "test_support.hpp"

#include <cereal/types/array.hpp>
#include <cereal/types/deque.hpp>
#include <cereal/types/list.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/memory.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <doctest/doctest.h>
#include <pthread.h>  // a thread with a chosen stack size

#include <array>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

using cookieseal::Codec;
using cookieseal::Error;
using cookieseal::detail::max_payload_depth;
using test_support::AllocationCounter;

using Block = std::array<std::uint8_t, 65536>;

// A recursive type: the only way to nest without bound is through a pointer or a container.
struct Link {
  std::unique_ptr<Link> next;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(next);
  }
};

struct Tree {
  std::vector<Tree> children;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(children);
  }
};

struct Line {
  std::string sku;
  std::uint32_t quantity = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(sku, quantity);
  }
  friend bool operator==(const Line&, const Line&) = default;
};

struct Account {
  std::uint64_t id = 0;
  std::string name;
  std::vector<std::string> roles;
  std::map<std::string, std::vector<std::int32_t>> scores;
  std::vector<Line> cart;
  std::optional<std::string> email;
  std::vector<std::array<std::uint8_t, 256>> blobs;
  std::unique_ptr<Line> pinned;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id, name, roles, scores, cart, email, blobs, pinned);
  }
};

Codec codec_for(std::size_t max_value_bytes = 4096) {
  cookieseal::Options o;
  o.max_value_bytes = max_value_bytes;
  return Codec(test_support::ring({test_support::key_a_text}), o);
}

using test_support::le64;
using test_support::seal_plaintext;

// Endianness flag, a count of `count`, and `count` more bytes: every count passes the
// bytes-left check.
std::string count_then_filler(std::uint64_t count) {
  return std::string("\x01", 1) + le64(count) + std::string(static_cast<std::size_t>(count), '\0');
}

// `set` pointers that are set, then a null one: `set + 1` nested unique_ptrs.
std::string pointer_chain(std::size_t set) {
  return std::string("\x01", 1) + std::string(set, '\x01') + '\0';
}

// Runs f on a new thread with a stack of `bytes`.
template <class F>
void on_stack_of(std::size_t bytes, F f) {
  pthread_attr_t attr;
  REQUIRE(::pthread_attr_init(&attr) == 0);
  REQUIRE(::pthread_attr_setstacksize(&attr, bytes) == 0);
  pthread_t thread;
  const auto run = [](void* arg) -> void* {
    (*static_cast<F*>(arg))();
    return nullptr;
  };
  REQUIRE(::pthread_create(&thread, &attr, run, &f) == 0);
  REQUIRE(::pthread_join(thread, nullptr) == 0);
  ::pthread_attr_destroy(&attr);
}

template <class T>
std::size_t bytes_allocated_decoding(const Codec& codec, const std::string& cookie, Error expected) {
  const AllocationCounter counter;
  const auto r = codec.decode<T>("s", cookie);
  CHECK_FALSE(r.ok());
  if (!r.ok()) CHECK(r.error() == expected);
  return counter.bytes();
}

}  // namespace

TEST_CASE("3,000 elements of 64 KiB claimed by a 3 KB payload are bad_payload without allocating them") {
  const Codec codec = codec_for();
  const std::string cookie = seal_plaintext(count_then_filler(3000));
  REQUIRE(cookie.size() <= 4096);  // a cookie a browser keeps
  const std::size_t vec = bytes_allocated_decoding<std::vector<Block>>(codec, cookie, Error::bad_payload);
  const std::size_t deq = bytes_allocated_decoding<std::deque<Block>>(codec, cookie, Error::bad_payload);
  const std::size_t lst = bytes_allocated_decoding<std::list<Block>>(codec, cookie, Error::bad_payload);
  MESSAGE("bytes allocated refusing vector / deque / list of 3,000 x 64 KiB: " << vec << " / " << deq << " / "
                                                                               << lst);
  // The budget: 64 bytes per payload byte (3,009 here), i.e. 192,576; nothing near 196 MB.
  CHECK(vec < 256 * 1024);
  CHECK(deq < 256 * 1024);
  CHECK(lst < 256 * 1024);
}

TEST_CASE("the allocation budget is the payload's size times 64, whatever the element type") {
  const Codec codec = codec_for();
  using Small = std::array<std::uint8_t, 64>;  // 64 bytes an element: count x 64 <= 64 x payload
  const std::size_t n = 40;
  std::string fits = std::string("\x01", 1) + le64(n) + std::string(n * sizeof(Small), '\x07');
  const auto ok = codec.decode<std::vector<Small>>("s", seal_plaintext(fits));
  REQUIRE(ok.ok());
  CHECK(ok->value.size() == n);
  CHECK(ok->value.back()[63] == 7);
  // 1,000 elements of 4 KiB in a 1 KB payload ask for 4 MB: past the budget before any resize.
  using Page = std::array<std::uint8_t, 4096>;
  CHECK(bytes_allocated_decoding<std::vector<Page>>(codec, seal_plaintext(count_then_filler(1000)),
                                                    Error::bad_payload) < 64 * 1024);
}

TEST_CASE("a unique_ptr chain or a vector of itself 100,000 deep is bad_payload, not a stack overflow") {
  // On a 1 MiB stack (a common worker-thread size) the reader without a depth limit overflowed
  // at about 9,000 levels; a 4 KB cookie nests 3,000, enough for a 256 KiB stack.
  const Codec codec = codec_for(1 << 21);
  const std::string chain = seal_plaintext(pointer_chain(100000));
  std::string tree = "\x01";
  for (int i = 0; i < 100000; ++i) tree += le64(1);  // one child each
  tree += le64(0);
  const std::string trees = seal_plaintext(tree);
  std::optional<Error> chain_error, tree_error;
  on_stack_of(1 << 20, [&] {
    if (const auto r = codec.decode<Link>("s", chain); !r.ok()) chain_error = r.error();
    if (const auto t = codec.decode<Tree>("s", trees); !t.ok()) tree_error = t.error();
  });
  CHECK(chain_error == Error::bad_payload);
  CHECK(tree_error == Error::bad_payload);
}

TEST_CASE("64 nested pointers decode; 65 are bad_payload") {
  static_assert(max_payload_depth == 64);
  const Codec codec = codec_for();
  const auto deepest = codec.decode<Link>("s", seal_plaintext(pointer_chain(max_payload_depth - 1)));
  REQUIRE(deepest.ok());
  std::size_t depth = 0;
  for (const Link* l = &deepest->value; l->next; l = l->next.get()) ++depth;
  CHECK(depth == max_payload_depth - 1);  // + the null pointer at the end: 64 levels
  const auto too_deep = codec.decode<Link>("s", seal_plaintext(pointer_chain(max_payload_depth)));
  REQUIRE_FALSE(too_deep.ok());
  CHECK(too_deep.error() == Error::bad_payload);
}

TEST_CASE("ordinary payloads still decode: strings, vectors, maps, optionals, nested structs, pointers") {
  const Codec codec = codec_for();
  Account a;
  a.id = 42;
  a.name = "Ada Lovelace";
  a.roles = {"admin", "editor", "viewer"};
  a.scores = {{"chess", {1, 2, 3}}, {"go", {}}, {"shogi", std::vector<std::int32_t>(100, 7)}};
  a.cart = {{"sku-1", 2}, {"sku-2", 1}, {"", 0}};
  a.email = "ada@example.com";
  a.blobs.resize(3);
  a.blobs[2].fill(0xab);
  a.pinned = std::make_unique<Line>(Line{"pinned", 9});
  const auto cookie = codec.encode("s", a);
  REQUIRE(cookie.ok());
  const auto back = codec.decode<Account>("s", *cookie);
  REQUIRE(back.ok());
  CHECK(back->value.name == a.name);
  CHECK(back->value.roles == a.roles);
  CHECK(back->value.scores == a.scores);
  CHECK(back->value.cart == a.cart);
  CHECK(back->value.email == a.email);
  CHECK(back->value.blobs == a.blobs);
  REQUIRE(back->value.pinned != nullptr);
  CHECK(*back->value.pinned == *a.pinned);
  // The largest cookie of small numbers and of text still loads.
  const std::vector<std::uint64_t> numbers(370, 0x0102030405060708ULL);
  const auto n = codec.decode<std::vector<std::uint64_t>>("s", *codec.encode("s", numbers));
  REQUIRE(n.ok());
  CHECK(n->value == numbers);
  const std::string text(2990, 'x');
  CHECK(codec.decode<std::string>("s", *codec.encode("s", text))->value == text);
  const std::vector<std::string> many(300, "a");
  CHECK(codec.decode<std::vector<std::string>>("s", *codec.encode("s", many))->value == many);
}
