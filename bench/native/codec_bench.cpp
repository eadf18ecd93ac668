#include "codec_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(name) (void)(name)
#endif

#include "alloc_counter.hpp"
#include "json_hub_protocol.hpp"

namespace bench {

namespace {

using signalr::detail::HubMessage;
using Clock = std::chrono::steady_clock;

struct Sample {
    const char* name;
    std::string json; // without the record separator
};

std::vector<Sample> samples() {
    std::string big(10 * 1024, 'a');
    return {
        {"invocation_0_args", R"({"type":1,"target":"Tick","arguments":[]})"},
        {"invocation_1_arg",
         R"({"type":1,"invocationId":"42","target":"Echo","arguments":["hello"]})"},
        {"invocation_10_args",
         R"({"type":1,"invocationId":"42","target":"Update","arguments":[1,-2,3.5,"text",true,false,null,[1,2,3],{"name":"a","value":7},"last"]})"},
        {"completion", R"({"type":3,"invocationId":"42","result":"hello"})"},
        {"stream_item", R"({"type":2,"invocationId":"7","item":12345})"},
        {"ping", R"({"type":6})"},
        {"message_10kb",
         R"({"type":1,"invocationId":"42","target":"Echo","arguments":[")" + big + R"("]})"},
    };
}

// Consumes every value so that On-Demand, which is lazy, really parses all of it.
std::uint64_t walk(simdjson::ondemand::value value);

std::uint64_t walkObject(simdjson::ondemand::object object) {
    std::uint64_t sum = 0;
    for (auto field : object) {
        std::string_view key = field.unescaped_key().value_unsafe();
        sum += key.size() + walk(field.value().value_unsafe());
    }
    return sum;
}

std::uint64_t walk(simdjson::ondemand::value value) {
    switch (value.type().value_unsafe()) {
    case simdjson::ondemand::json_type::object:
        return walkObject(value.get_object().value_unsafe());
    case simdjson::ondemand::json_type::array: {
        std::uint64_t sum = 0;
        for (auto item : value.get_array()) {
            sum += 1 + walk(item.value_unsafe());
        }
        return sum;
    }
    case simdjson::ondemand::json_type::string: return value.get_string().value_unsafe().size();
    case simdjson::ondemand::json_type::number:
        return static_cast<std::uint64_t>(value.get_double().value_unsafe());
    case simdjson::ondemand::json_type::boolean: return value.get_bool().value_unsafe() ? 1 : 0;
    case simdjson::ondemand::json_type::null: return value.is_null() ? 0 : 1;
    }
    return 0;
}

struct Measured {
    double ns = 0;
    double allocs = 0;
    double bytes = 0;
};

template <class F>
Measured timeLoop(long iterations, F& body) {
    const auto before = allocCounts();
    const auto start = Clock::now();
    for (long i = 0; i < iterations; ++i) {
        body();
    }
    const auto elapsed = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    const auto used = allocCounts() - before;
    const auto n = static_cast<double>(iterations);
    return {elapsed / n, static_cast<double>(used.newCalls) / n,
            static_cast<double>(used.newBytes) / n};
}

/// One loop of `iterations` bracketed by callgrind client requests: under valgrind, the dump
/// named `label` holds the loop's instructions.
template <class F>
Measured measure(const std::string& label, long iterations, F&& body) {
    for (long i = 0; i < std::min(iterations, 100L); ++i) {
        body();
    }
    CALLGRIND_ZERO_STATS;
    const auto measured = timeLoop(iterations, body);
    CALLGRIND_DUMP_STATS_AT(label.c_str());
    return measured;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

/// Decode, encode and the simdjson baseline timed interleaved, as the issue asks of every timed
/// ratio: `iterations` of each, in kRounds bursts whose order rotates, so that a noisy moment
/// (or the CPU still ramping up at the start) hits all three alike. Each figure is the median
/// over the bursts; the ratio is the median of the per-burst ratios decode/simdjson.
struct Interleaved {
    Measured decode, encode, simdjson;
    double decodeVsSimdjson = 0;
};

constexpr int kRounds = 21;

template <class D, class E, class S>
Interleaved interleave(long iterations, D& decode, E& encode, S& simdjson) {
    const long burst = std::max(1L, iterations / kRounds);
    for (long i = 0; i < std::min(burst, 100L); ++i) {
        decode();
        encode();
        simdjson();
    }
    std::vector<Measured> runs[3];
    for (int round = 0; round < kRounds; ++round) {
        for (int k = 0; k < 3; ++k) {
            switch ((round + k) % 3) {
            case 0: runs[0].push_back(timeLoop(burst, decode)); break;
            case 1: runs[1].push_back(timeLoop(burst, encode)); break;
            default: runs[2].push_back(timeLoop(burst, simdjson)); break;
            }
        }
    }
    const auto summary = [](const std::vector<Measured>& bursts) {
        std::vector<double> ns;
        Measured total;
        for (const auto& m : bursts) {
            ns.push_back(m.ns);
            total.allocs += m.allocs;
            total.bytes += m.bytes;
        }
        // Means over equal bursts; rounded so that 1 allocation per message prints as 1.
        total.allocs = std::round(total.allocs / kRounds * 1e6) / 1e6;
        total.bytes = std::round(total.bytes / kRounds * 1e6) / 1e6;
        total.ns = median(ns);
        return total;
    };
    std::vector<double> ratios;
    for (int round = 0; round < kRounds; ++round) {
        ratios.push_back(runs[0][round].ns / runs[2][round].ns);
    }
    return {summary(runs[0]), summary(runs[1]), summary(runs[2]), median(ratios)};
}

volatile std::uint64_t gSink = 0;

} // namespace

std::string runCodec(long iterations) {
    auto protocol = signalr::detail::makeJsonHubProtocol();
    simdjson::ondemand::parser ondemand;
    std::string out = "{\"p1\":{";
    bool first = true;
    for (const auto& sample : samples()) {
        const std::string framed = sample.json + '\x1e';
        std::vector<HubMessage> messages;
        if (!protocol->parse(framed, messages) || messages.size() != 1) {
            return fmt::format("error: P1: {} does not parse", sample.name);
        }
        const HubMessage message = messages.front();

        const simdjson::padded_string padded(sample.json);
        std::string encoded;
        auto decodeOnce = [&] {
            messages.clear();
            (void)protocol->parse(framed, messages);
        };
        auto encodeOnce = [&] {
            encoded.clear();
            (void)protocol->write(message, encoded);
        };
        auto simdjsonOnce = [&] {
            auto document = ondemand.iterate(padded);
            gSink = gSink + walkObject(document.get_object().value_unsafe());
        };
        Interleaved timed;
        if (RUNNING_ON_VALGRIND) {
            // Instructions do not depend on the order: one loop each, named for the driver.
            timed.decode = measure(std::string(sample.name) + ":decode", iterations, decodeOnce);
            timed.encode = measure(std::string(sample.name) + ":encode", iterations, encodeOnce);
            timed.simdjson =
                measure(std::string(sample.name) + ":simdjson", iterations, simdjsonOnce);
            timed.decodeVsSimdjson = timed.decode.ns / timed.simdjson.ns;
        } else {
            timed = interleave(iterations, decodeOnce, encodeOnce, simdjsonOnce);
        }
        const auto& decode = timed.decode;
        const auto& encode = timed.encode;
        const auto& raw = timed.simdjson;
        out += fmt::format(
            R"({}"{}":{{"bytes":{},"decode_ns":{},"decode_allocs":{},"decode_alloc_bytes":{},"encode_ns":{},"encode_allocs":{},"encode_alloc_bytes":{},"simdjson_ns":{},"decode_vs_simdjson":{}}})",
            first ? "" : ",", sample.name, framed.size(), decode.ns, decode.allocs, decode.bytes,
            encode.ns, encode.allocs, encode.bytes, raw.ns, timed.decodeVsSimdjson);
        first = false;
    }
    out += fmt::format(R"(}},"iterations":{},"under_valgrind":{}}})", iterations,
                       RUNNING_ON_VALGRIND ? "true" : "false");
    return out;
}

} // namespace bench
