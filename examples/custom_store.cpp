// cookieseal - a SessionStore of your own (examples/map_store.hpp), driven as the store backend
// drives it: a commit, a renewal and a concurrent commit.
#include "map_store.hpp"

#include <iostream>

int main() {
  example::MapStore store;
  // What the store backend does on a commit, a renewal and a concurrent commit:
  const auto v1 = store.save("s:4f2a", "sealed-record-1", std::chrono::minutes(30), std::nullopt);
  if (!v1) return 1;
  const auto touched = store.touch("s:4f2a", std::chrono::minutes(30));
  const auto v2 = store.save("s:4f2a", "sealed-record-2", std::chrono::minutes(30), *v1);
  const auto lost = store.save("s:4f2a", "sealed-record-3", std::chrono::minutes(30), *v1);
  const auto loaded = store.load("s:4f2a");
  if (!touched || !*touched || !v2 || lost || !loaded || !*loaded) return 1;
  std::cout << "version " << *v1 << " -> " << *v2 << ", stale write: " << lost.error()
            << ", stored: " << (*loaded)->record << '\n';
  return 0;
}
