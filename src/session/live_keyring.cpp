// cookieseal - LiveKeyring: RCU-like publication of the current Sealer (see live_keyring.hpp)
#include <cookieseal/live_keyring.hpp>

#include <thread>  // std::this_thread::yield while rotate() drains readers
#include <utility>

namespace cookieseal {

// One keyring's sealer and the values each of its keys opened. Immutable but for the
// counters; replaced whole by rotate(), so a request holds one consistent generation.
// (std::atomic<std::shared_ptr> would do, but libstdc++ 12's load races formally with store:
// google/sanitizers#1558.)
struct LiveKeyring::Generation {
  Sealer sealer;
  mutable std::vector<std::atomic<std::uint64_t>> opened;  // by key position

  Generation(Keyring keyring, SealerOptions options)
      : sealer(std::move(keyring), std::move(options)), opened(sealer.keyring().size()) {}
};

LiveKeyring::LiveKeyring(Keyring keyring, SealerOptions options) : options_(std::move(options)) {
  generation_.store(new Generation(std::move(keyring), options_));
}

LiveKeyring::~LiveKeyring() { delete generation_.load(); }

// All seq_cst, so that: if the reader saw the epoch unchanged after counting itself,
// rotate()'s later flip and drain-wait see its count; if it saw the epoch change, it retries
// on the new side and can only read the new generation.
LiveKeyring::Pin::Pin(const LiveKeyring& keys) noexcept {
  for (;;) {
    const std::uint64_t e = keys.epoch_.load();
    counter_ = &keys.readers_[e & 1];
    counter_->fetch_add(1);
    if (keys.epoch_.load() == e) break;
    counter_->fetch_sub(1);  // a rotation flipped the epoch meanwhile: join the new side
  }
  generation_ = keys.generation_.load();
}

LiveKeyring::Pin::~Pin() { counter_->fetch_sub(1); }

const Sealer& LiveKeyring::Pin::sealer() const noexcept { return generation_->sealer; }

void LiveKeyring::Pin::count_open(const KeyId& id) const noexcept {
  const int position = generation_->sealer.keyring().position(id);
  if (position >= 0)
    generation_->opened[static_cast<std::size_t>(position)].fetch_add(1, std::memory_order_relaxed);
}

void LiveKeyring::rotate(Keyring keyring) {
  const std::lock_guard<std::mutex> lock(rotate_mutex_);
  auto next = std::make_unique<Generation>(std::move(keyring), options_);  // may throw: nothing changed yet
  Generation* const fresh = next.get();
  const Generation* const old = generation_.load();
  generation_.store(next.release());
  // Readers counted on the current side may still hold `old`; readers arriving after the flip
  // count on the other side and read `fresh`. Wait for the current side to drain.
  const std::uint64_t e = epoch_.fetch_add(1);
  while (readers_[e & 1].load() != 0) std::this_thread::yield();
  // Nobody touches old's counters any more: carry them over for the keys that stay.
  const auto& old_keys = old->sealer.keyring();
  const auto& new_keys = fresh->sealer.keyring().keys();
  for (std::size_t i = 0; i < new_keys.size(); ++i) {
    const int j = old_keys.position(new_keys[i].id());
    if (j >= 0)
      fresh->opened[i].store(old->opened[static_cast<std::size_t>(j)].load(std::memory_order_relaxed));
  }
  delete old;
}

std::vector<KeyUsage> LiveKeyring::usage() const {
  const Pin pin(*this);
  const auto& keys = pin.generation_->sealer.keyring().keys();
  std::vector<KeyUsage> out;
  out.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    out.push_back(KeyUsage{keys[i].id(), i, pin.generation_->opened[i].load(std::memory_order_relaxed)});
  }
  return out;
}

}  // namespace cookieseal
