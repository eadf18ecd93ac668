// signalr-bench: our client's side of the benchmarks (bench/README.md).
//
//   signalr-bench client '<scenario JSON>'   E1-E7 and P3 against the bench hub (mode in the JSON)
//   signalr-bench codec [ITERATIONS]         P1 (run under callgrind for instruction counts)
//
// Prints one JSON object on stdout; exits 1 with the reason on stderr when a scenario fails.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "client_scenarios.hpp"
#include "codec_bench.hpp"
#include "spec.hpp"

int main(int argc, char** argv) {
    const std::string command = argc > 1 ? argv[1] : "";
    std::string result;
    if (command == "codec") {
        result = bench::runCodec(argc > 2 ? std::atol(argv[2]) : 100000);
    } else if (command == "client" && argc > 2) {
        bench::Spec spec;
        std::string error;
        if (!bench::parseSpec(argv[2], spec, error)) {
            std::fprintf(stderr, "signalr-bench: bad scenario JSON: %s\n", error.c_str());
            return 2;
        }
        if (spec.mode == "throughput") {
            result = bench::runThroughput(spec);
        } else if (spec.mode == "idle") {
            result = bench::runIdle(spec);
        } else if (spec.mode == "max") {
            result = bench::runMost(spec);
        } else if (spec.mode == "p2") {
            result = bench::runInvokeLoop(spec);
        } else {
            std::fprintf(stderr, "signalr-bench: unknown mode '%s'\n", spec.mode.c_str());
            return 2;
        }
    } else {
        std::fprintf(stderr,
                     "usage: signalr-bench client '<scenario JSON>' | codec [ITERATIONS]\n");
        return 2;
    }
    if (result.starts_with("error")) {
        std::fprintf(stderr, "signalr-bench: %s\n", result.c_str());
        std::fflush(stderr);
        std::_Exit(1);
    }
    std::printf("%s\n", result.c_str());
    std::fflush(stdout);
    // Thousands of open connections (E6, E7) need not be torn down one by one.
    std::_Exit(0);
}
