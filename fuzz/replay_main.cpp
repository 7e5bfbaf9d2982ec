// cookieseal fuzz - the replayer: runs a fuzz target over files, for builds without libFuzzer
//
// Usage: <target>_fuzzer [FILE | DIRECTORY]...   (arguments starting with '-' are ignored, so a
// libFuzzer command line such as `-runs=0 corpus/` also works). Each file is one input; a
// directory stands for the files in it (not recursive, sorted, dot-files skipped). Exits 0
// when every input ran, 1 when a file could not be read; a failing input aborts, as under
// libFuzzer. Linked instead of libFuzzer's main by fuzz/meson.build (docs/FUZZING.md).

#include "allocation_counter.hpp"  // set_allocation_limit
#include "fuzz_support.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

// libFuzzer runs with -malloc_limit_mb=64: one allocation above it is a finding (e.g. a length
// prefix of 2^40 trusted by a deserializer). The replayer applies the same limit through the
// tests' allocation counter (tests/support), so a corpus input that regresses this fails every
// plain build too.
constexpr std::size_t malloc_limit_bytes = std::size_t{64} << 20;

namespace {

bool run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  // An exactly-sized copy, so that a sanitizer sees any read past the end of the input.
  const std::unique_ptr<std::uint8_t[]> data(new std::uint8_t[bytes.size() + (bytes.empty() ? 1 : 0)]);
  std::copy(bytes.begin(), bytes.end(), data.get());
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), bytes.size());
  LLVMFuzzerTestOneInput(data.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  test_support::set_allocation_limit(malloc_limit_bytes);
  std::size_t inputs = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.starts_with("-")) continue;  // libFuzzer flags
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        if (entry.is_regular_file() && !entry.path().filename().string().starts_with(".")) {
          files.push_back(entry.path());
        }
      }
      if (ec) {
        std::fprintf(stderr, "replay: cannot list %s: %s\n", arg.c_str(), ec.message().c_str());
        ok = false;
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        ok = run_file(f) && ok;
        ++inputs;
      }
    } else {
      ok = run_file(arg) && ok;
      ++inputs;
    }
  }
  std::printf("replay: %zu inputs ran%s\n", inputs, ok ? "" : " (some could not be read)");
  return ok ? 0 : 1;
}
