// How long one staff password hash takes at the cost the service uses
// (crypto::interactive_password_cost: Argon2id, 64 MiB, 2 passes), and one
// verification: what a login costs the server and a guesser per try.
// Usage: password_hash [ROUNDS]   (default 10; prints the median and range)
// Wall time counts whatever else the machine runs; CPU time (std::clock,
// this process's, one thread) is what one hash costs a core.
#include <banditore/crypto/password.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  using namespace banditore::crypto;
  using clock = std::chrono::steady_clock;
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10;
  const auto cost = interactive_password_cost();
  std::vector<double> hash_ms, verify_ms, hash_cpu_ms, verify_cpu_ms;
  auto cpu_ms = [](std::clock_t a, std::clock_t b) { return 1000.0 * static_cast<double>(b - a) / CLOCKS_PER_SEC; };
  std::string last;
  for (int i = 0; i < rounds; ++i) {
    const auto c0 = std::clock();
    const auto t0 = clock::now();
    last = hash_password("a staff password of fair length", cost);
    const auto t1 = clock::now();
    const auto c1 = std::clock();
    const bool ok = verify_password(last, "a staff password of fair length");
    const auto t2 = clock::now();
    const auto c2 = std::clock();
    hash_cpu_ms.push_back(cpu_ms(c0, c1));
    verify_cpu_ms.push_back(cpu_ms(c1, c2));
    if (!ok) return 1;
    hash_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    verify_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
  auto report = [](const char* what, std::vector<double>& v) {
    std::sort(v.begin(), v.end());
    fmt::print("{:<12} median {:.1f} ms  min {:.1f} ms  max {:.1f} ms  ({} rounds)\n", what, v[v.size() / 2],
               v.front(), v.back(), v.size());
  };
  fmt::print("Argon2id, memory {} MiB, passes {}, one lane; hash {}\n", cost.memory / (1024 * 1024), cost.ops,
             last.substr(0, last.rfind('$')));
  report("hash", hash_ms);
  report("verify", verify_ms);
  report("hash (CPU)", hash_cpu_ms);
  report("verify (CPU)", verify_cpu_ms);
}
