// cookieseal - what the five migration examples share: the port and the listening line
#pragma once
#include <httplib.h>

#include <cstdlib>
#include <iostream>
#include <string_view>

namespace job {

// Serves `app` on 127.0.0.1 (loopback only: put a TLS-terminating proxy in front for real)
// at --port N, else $PORT, else 8080; 0 picks a free port. Prints the address it listens on
// as the first line of output (tests/e2e/lib.sh waits for it). Returns main's exit status.
inline int serve(httplib::Server& app, int argc, char** argv) {
  const char* text = std::getenv("PORT");
  if (argc == 3 && std::string_view(argv[1]) == "--port") text = argv[2];
  else if (argc != 1) text = "";
  char* end = nullptr;
  const long port = text == nullptr ? 8080 : std::strtol(text, &end, 10);
  if (text != nullptr && (*text == '\0' || *end != '\0' || port < 0 || port > 65535)) {
    std::cerr << "usage: " << argv[0] << " [--port N]   (or PORT=N; 0 picks a free port)\n";
    return 2;
  }
  const int bound =
      port == 0 ? app.bind_to_any_port("127.0.0.1")
                : (app.bind_to_port("127.0.0.1", static_cast<int>(port)) ? static_cast<int>(port) : -1);
  if (bound < 0) {
    std::cerr << "cannot listen on 127.0.0.1:" << port << '\n';
    return 1;
  }
  std::cout << "listening on http://127.0.0.1:" << bound << std::endl;
  return app.listen_after_bind() ? 0 : 1;
}

}  // namespace job
