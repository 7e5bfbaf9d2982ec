// cookieseal - quick start: seal a value into a cookie and open it again
#include <cookieseal/cookieseal.hpp>

#include <cereal/types/string.hpp>  // serialize std::string members
#include <cereal/types/vector.hpp>  // serialize std::vector members

#include <iostream>
#include <string>
#include <vector>

struct Cart {
  std::string user;
  std::vector<int> items;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(user, items);
  }
};

int main() {
  // In production: cookieseal::Keyring::from_env() reads COOKIESEAL_KEYS.
  std::vector<cookieseal::Key> keys;
  keys.push_back(cookieseal::Key::generate());  // an ephemeral key, just for this demo
  cookieseal::Codec codec(cookieseal::Keyring(std::move(keys)));

  const Cart cart{"ada", {3, 1, 4}};
  auto cookie = codec.encode("cart", cart);  // serialize, seal, base64url
  if (!cookie) return 1;
  std::cout << "key        " << codec.keyring().primary() << '\n'
            << "Set-Cookie cart=" << *cookie << "\n"
            << "length     " << cookie->size() << " characters\n";

  auto opened = codec.decode<Cart>("cart", *cookie);  // verify, decrypt, deserialize
  if (!opened) {
    std::cout << "rejected: " << cookieseal::to_string(opened.error()) << '\n';
    return 1;
  }
  std::cout << "opened     user=" << opened->value.user << " items=" << opened->value.items.size()
            << " key=" << opened->key_id << '\n';

  // The name is authenticated: the same value presented as another cookie is rejected.
  auto swapped = codec.decode<Cart>("other", *cookie);
  std::cout << "as 'other' " << (swapped ? "accepted (bug!)" : cookieseal::to_string(swapped.error()))
            << '\n';

  // So is every byte: flip one character and it no longer opens.
  std::string forged = *cookie;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  auto tampered = codec.decode<Cart>("cart", forged);
  std::cout << "forged     " << (tampered ? "accepted (bug!)" : cookieseal::to_string(tampered.error()))
            << '\n';
  return swapped || tampered ? 1 : 0;
}
