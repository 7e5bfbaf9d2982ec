// cookieseal - consumer test: a program outside the tree, built against the installed library
// (pkg-config, CMake find_package, or meson subproject: README.md §Install, run by
// scripts/test.d/60-consumers.sh). Its argument is the version it must find.
#include <cookieseal/cookieseal.hpp>

#include <cereal/types/string.hpp>  // serialize std::string members
#include <cereal/types/vector.hpp>  // serialize std::vector members

#include <cstring>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

struct Cart {
  std::string user;
  std::vector<int> items;
};

// A non-member serialize, as an application adds one to a type it cannot change.
template <class Archive>
void serialize(Archive& ar, Cart& cart) {
  ar(cart.user, cart.items);
}

int main(int argc, char** argv) {
  // The header this program was compiled with and the library it runs with agree.
  if (std::strcmp(cookieseal::version_string, COOKIESEAL_VERSION_STRING) != 0) {
    std::cerr << "version mismatch: " << cookieseal::version_string << '\n';
    return 1;
  }
  if (argc > 1 && argv[1] != std::string(COOKIESEAL_VERSION_STRING)) {
    std::cerr << "installed version.hpp says " << COOKIESEAL_VERSION_STRING << ", expected " << argv[1]
              << '\n';
    return 1;
  }

  std::vector<cookieseal::Key> keys;
  keys.push_back(cookieseal::Key::generate());
  const cookieseal::Codec codec(cookieseal::Keyring(std::move(keys)));

  const Cart cart{"ada", {3, 1, 4}};
  auto cookie = codec.encode("cart", cart);
  if (!cookie) {
    std::cerr << "encode failed: " << cookieseal::to_string(cookie.error()) << '\n';
    return 1;
  }
  auto back = codec.decode<Cart>("cart", *cookie);
  if (!back || back->value.user != cart.user || back->value.items != cart.items) {
    std::cerr << "decode failed: " << (back ? "different value" : cookieseal::to_string(back.error()))
              << '\n';
    return 1;
  }
  if (codec.decode<Cart>("other", *cookie)) {  // the cookie name is authenticated
    std::cerr << "decode accepted the cookie under another name\n";
    return 1;
  }
  std::cout << "cookieseal " << cookieseal::version_string << ": sealed " << cookie->size()
            << " characters, opened user=" << back->value.user << " items=" << back->value.items.size()
            << " key=" << back->key_id << '\n';
  return 0;
}
