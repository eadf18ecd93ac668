#include "client_scenarios.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <signalr/signalr.hpp>
#include <signalr/wait.hpp>

#include "alloc_counter.hpp"
#include "process_stats.hpp"

namespace bench {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double percentile(std::vector<double> samples, double p) {
    std::sort(samples.begin(), samples.end());
    const auto index =
        std::min(samples.size() - 1,
                 static_cast<std::size_t>(p / 100.0 * static_cast<double>(samples.size())));
    return samples[index];
}

signalr::Result<signalr::HubConnection> build(const std::string& url) {
    return signalr::HubConnectionBuilder()
        .withUrl(url)
        .configureLogging(signalr::LogLevel::None)
        .build();
}

signalr::Result<signalr::HubConnection> connect(const std::string& url) {
    auto built = build(url);
    if (!built) {
        return built;
    }
    auto connection = std::move(built).value();
    if (auto started = signalr::wait([&](auto done) { connection.start(done); }); !started) {
        return std::move(started).error();
    }
    return connection;
}

std::string failure(const std::string& what, const signalr::Error& error) {
    return "error: " + what + ": " + error.message;
}

/// `count` Echo invokes one after another, each started from the previous one's completion on
/// the event loop (as an asynchronous application would), timing each when `samples` is given.
class InvokeChain {
public:
    InvokeChain(signalr::HubConnection& connection, std::int64_t count,
                std::vector<double>* samples)
        : connection_(connection), remaining_(count), samples_(samples) {}

    /// Blocks until the last completion; returns the first error, if any.
    std::optional<signalr::Error> run() {
        auto finished = done_.get_future();
        if (remaining_ == 0) {
            return std::nullopt;
        }
        step();
        finished.wait();
        return error_;
    }

private:
    void step() {
        start_ = Clock::now();
        connection_.invoke<std::string>("Echo", {"x"}, [this](signalr::Result<std::string> result) {
            if (samples_ != nullptr) {
                samples_->push_back(
                    std::chrono::duration<double, std::micro>(Clock::now() - start_).count());
            }
            if (!result) {
                error_ = result.error();
                done_.set_value();
            } else if (--remaining_ > 0) {
                step();
            } else {
                done_.set_value();
            }
        });
    }

    signalr::HubConnection& connection_;
    std::int64_t remaining_;
    std::vector<double>* samples_;
    Clock::time_point start_;
    std::optional<signalr::Error> error_;
    std::promise<void> done_;
};

/// `total` Echo invokes with `outstanding` of them in flight at any time.
class Pipeline {
public:
    Pipeline(signalr::HubConnection& connection, std::int64_t total, std::int64_t outstanding)
        : connection_(connection), total_(total), outstanding_(outstanding) {}

    std::optional<signalr::Error> run() {
        auto finished = done_.get_future();
        const auto lanes = std::min(outstanding_, total_);
        for (std::int64_t i = 0; i < lanes; ++i) {
            sent_.fetch_add(1);
            next();
        }
        finished.wait();
        return error_;
    }

private:
    void next() {
        connection_.invoke<std::string>("Echo", {"x"}, [this](signalr::Result<std::string> r) {
            if (!r && !error_) {
                error_ = r.error();
            }
            const auto done = completed_.fetch_add(1) + 1;
            if (sent_.fetch_add(1) < total_) {
                next();
            } else if (done == total_) {
                done_.set_value();
            }
        });
    }

    signalr::HubConnection& connection_;
    std::int64_t total_;
    std::int64_t outstanding_;
    std::atomic<std::int64_t> sent_{0};
    std::atomic<std::int64_t> completed_{0};
    std::optional<signalr::Error> error_;
    std::promise<void> done_;
};

std::string e1(signalr::HubConnection& connection, const Spec& spec, std::string& p3) {
    if (auto error = InvokeChain(connection, spec.e1Warmup, nullptr).run()) {
        return failure("E1 warm-up", *error);
    }
    std::vector<double> samples;
    samples.reserve(static_cast<std::size_t>(spec.e1Count));
    const auto before = allocCounts();
    startAllocTrace("invoke", spec.e1Count);
    auto failed = InvokeChain(connection, spec.e1Count, &samples).run();
    stopAllocTrace();
    if (failed) {
        return failure("E1", *failed);
    }
    const auto used = allocCounts() - before;
    const auto n = static_cast<double>(spec.e1Count);
    p3 = fmt::format(
        R"("invoke_allocs":{},"invoke_bytes":{},"invoke_mallocs":{},"invoke_malloc_bytes":{})",
        static_cast<double>(used.newCalls) / n, static_cast<double>(used.newBytes) / n,
        static_cast<double>(used.mallocCalls) / n, static_cast<double>(used.mallocBytes) / n);
    return fmt::format(R"({{"p50_us":{},"p99_us":{}}})", percentile(samples, 50),
                       percentile(samples, 99));
}

std::string e2(signalr::HubConnection& connection, const Spec& spec) {
    std::string out = "{";
    for (const auto outstanding : spec.e2Outstanding) {
        if (auto error =
                Pipeline(connection, std::min<std::int64_t>(spec.e2Total, 1000), outstanding)
                    .run()) {
            return failure("E2 warm-up", *error);
        }
        const auto cpu = cpuSeconds();
        const auto start = Clock::now();
        if (auto error = Pipeline(connection, spec.e2Total, outstanding).run()) {
            return failure("E2", *error);
        }
        const auto seconds = secondsSince(start);
        const auto total = static_cast<double>(spec.e2Total);
        out +=
            fmt::format(R"({}"{}":{{"per_s":{},"cpu_s_per_1000":{}}})", out.size() > 1 ? "," : "",
                        outstanding, total / seconds, (cpuSeconds() - cpu) * 1000.0 / total);
    }
    return out + "}";
}

std::string e3(signalr::HubConnection& connection, const Spec& spec, std::string& p3) {
    std::atomic<std::int64_t> received{0};
    connection.on("Flood", [&received](std::int64_t, std::string) { received.fetch_add(1); });
    const std::string payload(static_cast<std::size_t>(spec.e3Payload), 'x');
    const auto flood = [&](std::int64_t count) {
        return signalr::wait<std::int64_t>(
            [&](auto done) {
                connection.invoke<std::int64_t>("Flood", {count, payload}, done);
            },
            300s);
    };
    if (auto warm = flood(1000); !warm) {
        return failure("E3 warm-up", warm.error());
    }
    received = 0;
    const auto before = allocCounts();
    const auto cpu = cpuSeconds();
    const auto start = Clock::now();
    startAllocTrace("received", spec.e3Count);
    auto sent = flood(spec.e3Count);
    stopAllocTrace();
    const auto seconds = secondsSince(start);
    const auto cpuUsed = cpuSeconds() - cpu;
    const auto used = allocCounts() - before;
    connection.off("Flood");
    if (!sent) {
        return failure("E3", sent.error());
    }
    if (received.load() != spec.e3Count) {
        return fmt::format("error: E3: {} of {} Flood calls arrived", received.load(),
                           spec.e3Count);
    }
    const auto n = static_cast<double>(spec.e3Count);
    p3 += fmt::format(
        R"(,"received_allocs":{},"received_bytes":{},"received_mallocs":{},"received_malloc_bytes":{})",
        static_cast<double>(used.newCalls) / n, static_cast<double>(used.newBytes) / n,
        static_cast<double>(used.mallocCalls) / n, static_cast<double>(used.mallocBytes) / n);
    return fmt::format(R"({{"per_s":{},"cpu_s_per_1000":{}}})", n / seconds, cpuUsed * 1000.0 / n);
}

signalr::Result<std::int64_t> streamCounter(signalr::HubConnection& connection,
                                            std::int64_t count) {
    std::atomic<std::int64_t> items{0};
    auto ended = signalr::wait(
        [&](auto done) {
            connection.stream<std::int64_t>(
                "Counter", {count}, [&items](std::int64_t) { items.fetch_add(1); }, done);
        },
        300s);
    if (!ended) {
        return std::move(ended).error();
    }
    return items.load();
}

std::string e4(signalr::HubConnection& connection, const Spec& spec, std::string& p3) {
    if (auto warm = streamCounter(connection, 1000); !warm) {
        return failure("E4 warm-up", warm.error());
    }
    const auto before = allocCounts();
    const auto cpu = cpuSeconds();
    const auto start = Clock::now();
    startAllocTrace("item", spec.e4Count);
    auto items = streamCounter(connection, spec.e4Count);
    stopAllocTrace();
    const auto seconds = secondsSince(start);
    const auto used = allocCounts() - before;
    if (!items) {
        return failure("E4", items.error());
    }
    if (items.value() != spec.e4Count) {
        return fmt::format("error: E4: {} of {} items arrived", items.value(), spec.e4Count);
    }
    const auto n = static_cast<double>(spec.e4Count);
    p3 +=
        fmt::format(R"(,"item_allocs":{},"item_bytes":{})", static_cast<double>(used.newCalls) / n,
                    static_cast<double>(used.newBytes) / n);
    return fmt::format(R"({{"per_s":{},"cpu_s_per_1000":{}}})", n / seconds,
                       (cpuSeconds() - cpu) * 1000.0 / n);
}

std::string e5(const Spec& spec) {
    std::vector<double> samples;
    for (std::int64_t i = 0; i < spec.e5Warmup + spec.e5Count; ++i) {
        auto built = build(spec.url);
        if (!built) {
            return failure("E5 build", built.error());
        }
        auto connection = std::move(built).value();
        const auto start = Clock::now();
        auto started = signalr::wait([&](auto done) { connection.start(done); });
        const auto ms = secondsSince(start) * 1000.0;
        if (!started) {
            return failure("E5 start", started.error());
        }
        (void)signalr::wait([&](auto done) { connection.stop(done); });
        if (i >= spec.e5Warmup) {
            samples.push_back(ms);
        }
    }
    return fmt::format(R"({{"median_ms":{}}})", percentile(samples, 50));
}

/// Opens up to `count` connections in waves of `wave` concurrent starts, until `deadline` or the
/// first failure.
std::vector<signalr::HubConnection> openMany(const std::string& url, std::int64_t count,
                                             std::int64_t wave, Clock::time_point deadline,
                                             std::string& error) {
    std::vector<signalr::HubConnection> connections;
    connections.reserve(static_cast<std::size_t>(count));
    while (static_cast<std::int64_t>(connections.size()) < count && error.empty() &&
           Clock::now() < deadline) {
        const auto n =
            std::min<std::int64_t>(wave, count - static_cast<std::int64_t>(connections.size()));
        std::vector<signalr::HubConnection> batch;
        struct Outcome {
            std::mutex mutex;
            std::condition_variable all;
            std::int64_t finished = 0;
            std::vector<std::optional<signalr::Error>> errors;
        };
        auto outcome = std::make_shared<Outcome>();
        outcome->errors.resize(static_cast<std::size_t>(n));
        for (std::int64_t i = 0; i < n; ++i) {
            auto built = build(url);
            if (!built) {
                error = built.error().message;
                return connections;
            }
            batch.push_back(std::move(built).value());
        }
        for (std::int64_t i = 0; i < n; ++i) {
            batch[static_cast<std::size_t>(i)].start([outcome, i](signalr::Result<void> r) {
                std::lock_guard lock(outcome->mutex);
                if (!r) {
                    outcome->errors[static_cast<std::size_t>(i)] = r.error();
                }
                ++outcome->finished;
                outcome->all.notify_all();
            });
        }
        std::unique_lock lock(outcome->mutex);
        if (!outcome->all.wait_for(lock, 120s, [&] { return outcome->finished == n; })) {
            error = "a wave of starts did not finish within 120 s";
        }
        for (std::int64_t i = 0; i < n; ++i) {
            const auto& e = outcome->errors[static_cast<std::size_t>(i)];
            if (!e) {
                connections.push_back(std::move(batch[static_cast<std::size_t>(i)]));
            } else if (error.empty()) {
                error = e->message;
            }
        }
        lock.unlock();
        // Failed connections are dropped here, outside the lock their completions take.
        batch.clear();
    }
    return connections;
}

} // namespace

std::string runThroughput(const Spec& spec) {
    auto connected = connect(spec.url);
    if (!connected) {
        return failure("connect", connected.error());
    }
    auto connection = std::move(connected).value();
    std::string p3;
    const auto r1 = e1(connection, spec, p3);
    if (r1.starts_with("error")) {
        return r1;
    }
    const auto r2 = e2(connection, spec);
    if (r2.starts_with("error")) {
        return r2;
    }
    const auto r3 = e3(connection, spec, p3);
    if (r3.starts_with("error")) {
        return r3;
    }
    const auto r4 = e4(connection, spec, p3);
    if (r4.starts_with("error")) {
        return r4;
    }
    (void)signalr::wait([&](auto done) { connection.stop(done); });
    const auto r5 = e5(spec);
    if (r5.starts_with("error")) {
        return r5;
    }
    return fmt::format(R"({{"e1":{},"e2":{},"e3":{},"e4":{},"e5":{},"p3":{{{}}}}})", r1, r2, r3, r4,
                       r5, p3);
}

std::string runIdle(const Spec& spec) {
    raiseFdLimit();
    auto first = connect(spec.url);
    if (!first) {
        return failure("connect", first.error());
    }
    if (auto echoed = signalr::wait<std::string>(
            [&](auto done) { first.value().invoke<std::string>("Echo", {"x"}, done); });
        !echoed) {
        return failure("Echo", echoed.error());
    }
    std::this_thread::sleep_for(500ms); // let the first connection's allocations settle
    const auto rss = rssKb();
    const auto threads = threadCount();
    const auto fds = openFds();
    std::string error;
    auto connections = openMany(spec.url, spec.e6Connections, 100, Clock::now() + 120s, error);
    if (!error.empty()) {
        return "error: E6: " + error;
    }
    std::this_thread::sleep_for(1s);
    const auto n = static_cast<double>(connections.size());
    auto out = fmt::format(
        R"({{"e6":{{"connections":{},"rss_kb_per_conn":{},"threads_per_conn":{},"fds_per_conn":{}}}}})",
        connections.size(), static_cast<double>(rssKb() - rss) / n,
        static_cast<double>(threadCount() - threads) / n, static_cast<double>(openFds() - fds) / n);
    return out;
}

std::string runMost(const Spec& spec) {
    raiseFdLimit();
    std::string error;
    auto connections = openMany(spec.url, spec.e7Target, 200,
                                Clock::now() + std::chrono::seconds(spec.e7Seconds), error);
    std::string out = fmt::format(R"({{"e7":{{"connections":{})", connections.size());
    if (!error.empty()) {
        std::string quoted;
        for (const char c : error) {
            if (c == '"' || c == '\\') {
                quoted += '\\';
            }
            quoted += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
        }
        out += R"(,"error":")" + quoted + "\"";
    }
    return out + "}}";
}

std::string runInvokeLoop(const Spec& spec) {
    auto connected = connect(spec.url);
    if (!connected) {
        return failure("connect", connected.error());
    }
    auto connection = std::move(connected).value();
    if (auto error = InvokeChain(connection, 200, nullptr).run()) {
        return failure("warm-up", *error);
    }
    if (auto error = InvokeChain(connection, spec.p2Count, nullptr).run()) {
        return failure("P2", *error);
    }
    return fmt::format(R"({{"p2_invokes":{}}})", spec.p2Count);
}

} // namespace bench
