// The floor of the benchmarks: a raw libwebsockets client that sends the bytes of one SignalR
// Echo invocation to the hub's /ws-echo endpoint and waits for them to come back, with no
// SignalR framing, parsing or bookkeeping. Single-threaded: everything runs in lws_service().
//
//   lws-echo-floor '<scenario JSON>'   mode "throughput" (E1, E2) or "p2" (sequential loop)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <libwebsockets.h>

#include "process_stats.hpp"
#include "spec.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// What our client sends for Echo("x") (the id varies in length there; here it is fixed).
const std::string kMessage =
    R"({"type":1,"invocationId":"12345","target":"Echo","arguments":["x"]})"
    "\x1e";

struct Run {
    std::int64_t total = 0;       // round trips to make
    std::int64_t outstanding = 1; // in flight at once
    std::int64_t sent = 0;
    std::int64_t received = 0;
    std::int64_t queued = 0; // waiting for a writeable callback
    std::vector<Clock::time_point> sentAt;
    std::vector<double>* samples = nullptr;
    bool done = false;
    bool failed = false;
    std::string error;
};

Run* gRun = nullptr;
lws* gWsi = nullptr;
bool gConnected = false;
std::string gReceived;

void startRun(Run& run) {
    gRun = &run;
    run.queued = std::min(run.outstanding, run.total);
    run.sent = run.queued;
    run.sentAt.assign(static_cast<std::size_t>(run.total), {});
    lws_callback_on_writable(gWsi);
}

int callback(lws* wsi, lws_callback_reasons reason, void*, void* in, size_t len) {
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        gWsi = wsi;
        gConnected = true;
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (gRun != nullptr) {
            gRun->failed = true;
        }
        std::fprintf(stderr, "lws-echo-floor: connection error: %s\n",
                     in != nullptr ? static_cast<const char*>(in) : "?");
        std::_Exit(1);
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (gRun != nullptr && gRun->queued > 0) {
            std::vector<unsigned char> buffer(LWS_PRE + kMessage.size());
            std::memcpy(buffer.data() + LWS_PRE, kMessage.data(), kMessage.size());
            const auto index = gRun->sent - gRun->queued;
            gRun->sentAt[static_cast<std::size_t>(index)] = Clock::now();
            if (lws_write(wsi, buffer.data() + LWS_PRE, kMessage.size(), LWS_WRITE_TEXT) < 0) {
                std::fprintf(stderr, "lws-echo-floor: write failed\n");
                std::_Exit(1);
            }
            if (--gRun->queued > 0) {
                lws_callback_on_writable(wsi);
            }
        }
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        gReceived.append(static_cast<const char*>(in), len);
        if (lws_is_final_fragment(wsi) && gRun != nullptr) {
            gReceived.clear();
            auto& run = *gRun;
            const auto index = static_cast<std::size_t>(run.received);
            if (run.samples != nullptr) {
                run.samples->push_back(
                    std::chrono::duration<double, std::micro>(Clock::now() - run.sentAt[index])
                        .count());
            }
            ++run.received;
            if (run.sent < run.total) {
                ++run.sent;
                if (run.queued++ == 0) {
                    lws_callback_on_writable(wsi);
                }
            } else if (run.received == run.total) {
                run.done = true;
            }
        }
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        std::fprintf(stderr, "lws-echo-floor: closed by the server\n");
        std::_Exit(1);
    default: break;
    }
    return 0;
}

const lws_protocols kProtocols[] = {
    {"bench-echo", callback, 0, 64 * 1024, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

void serviceUntil(lws_context* context, const bool& flag) {
    while (!flag) {
        lws_service(context, 0);
    }
}

void runOnce(lws_context* context, std::int64_t total, std::int64_t outstanding,
             std::vector<double>* samples) {
    Run run;
    run.total = total;
    run.outstanding = outstanding;
    run.samples = samples;
    if (total == 0) {
        return;
    }
    startRun(run);
    serviceUntil(context, run.done);
    gRun = nullptr;
}

double percentile(std::vector<double> samples, double p) {
    std::sort(samples.begin(), samples.end());
    return samples[std::min(
        samples.size() - 1,
        static_cast<std::size_t>(p / 100.0 * static_cast<double>(samples.size())))];
}

} // namespace

int main(int argc, char** argv) {
    bench::Spec spec;
    std::string error;
    if (argc < 2 || !bench::parseSpec(argv[1], spec, error)) {
        std::fprintf(stderr, "usage: lws-echo-floor '<scenario JSON>' %s\n", error.c_str());
        return 2;
    }
    // ws://host:port/path
    const std::string url = spec.url;
    const auto hostStart = url.find("://") + 3;
    const auto pathStart = url.find('/', hostStart);
    const auto hostPort = url.substr(hostStart, pathStart - hostStart);
    const auto colon = hostPort.find(':');
    const std::string host = hostPort.substr(0, colon);
    const int port = std::atoi(hostPort.substr(colon + 1).c_str());
    const std::string path = url.substr(pathStart);

    lws_set_log_level(0, nullptr);
    lws_context_creation_info info{};
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = kProtocols;
    lws_context* context = lws_create_context(&info);
    if (context == nullptr) {
        std::fprintf(stderr, "lws-echo-floor: no lws context\n");
        return 1;
    }
    lws_client_connect_info connect{};
    connect.context = context;
    connect.address = host.c_str();
    connect.port = port;
    connect.path = path.c_str();
    connect.host = host.c_str();
    connect.origin = host.c_str();
    connect.protocol = nullptr;
    connect.local_protocol_name = kProtocols[0].name;
    if (lws_client_connect_via_info(&connect) == nullptr) {
        std::fprintf(stderr, "lws-echo-floor: connect failed\n");
        return 1;
    }
    serviceUntil(context, gConnected);

    std::string out;
    if (spec.mode == "p2") {
        runOnce(context, 200, 1, nullptr);
        runOnce(context, spec.p2Count, 1, nullptr);
        out = fmt::format(R"({{"p2_invokes":{}}})", spec.p2Count);
    } else {
        runOnce(context, spec.e1Warmup, 1, nullptr);
        std::vector<double> samples;
        runOnce(context, spec.e1Count, 1, &samples);
        out = fmt::format(R"({{"e1":{{"p50_us":{},"p99_us":{}}},"e2":{{)", percentile(samples, 50),
                          percentile(samples, 99));
        bool first = true;
        for (const auto k : spec.e2Outstanding) {
            runOnce(context, std::min<std::int64_t>(spec.e2Total, 1000), k, nullptr);
            const auto cpu = bench::cpuSeconds();
            const auto start = Clock::now();
            runOnce(context, spec.e2Total, k, nullptr);
            const auto seconds = std::chrono::duration<double>(Clock::now() - start).count();
            const auto total = static_cast<double>(spec.e2Total);
            out += fmt::format(R"({}"{}":{{"per_s":{},"cpu_s_per_1000":{}}})", first ? "" : ",", k,
                               total / seconds, (bench::cpuSeconds() - cpu) * 1000.0 / total);
            first = false;
        }
        out += "}}";
    }
    std::printf("%s\n", out.c_str());
    std::fflush(stdout);
    std::_Exit(0);
}
