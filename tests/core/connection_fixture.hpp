#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fake_http_client.hpp"
#include "fake_transport.hpp"
#include "manual_executor.hpp"
#include "signalr/signalr.hpp"

namespace signalr::test {

inline constexpr char kRS = '\x1e';

/// A HubConnection on fakes: a manual clock, a scripted negotiate, fake transports.
class ConnectionFixture : public ::testing::Test {
protected:
    std::shared_ptr<ManualExecutor> executor = std::make_shared<ManualExecutor>();
    std::shared_ptr<FakeHttpClient> http = std::make_shared<FakeHttpClient>(executor);
    std::shared_ptr<FakeTransportFactory> transports =
        std::make_shared<FakeTransportFactory>(executor);
    std::vector<std::pair<LogLevel, std::string>> logs;

    void TearDown() override {
        // Let connections destroyed by the test finish stopping, then drop what is left.
        executor->advance(std::chrono::minutes(1));
        executor->clear();
        http->held.clear();
    }

    Platform platform() {
        Platform p;
        p.executor = executor;
        p.httpClient = http;
        auto factory = transports;
        p.makeTransport = [factory] { return factory->make(); };
        return p;
    }

    HubConnectionBuilder builder(std::string url = "http://example.test/hub") {
        HubConnectionBuilder b;
        b.withUrl(std::move(url))
            .withPlatform(platform())
            .configureLogging(LogLevel::Trace, [this](LogLevel level, std::string_view message) {
                logs.emplace_back(level, std::string(message));
            });
        return b;
    }

    HubConnection build() {
        auto built = builder().build();
        EXPECT_TRUE(built.ok());
        return std::move(built).value();
    }

    /// Starts and returns the start result (nullopt if start never completed).
    std::optional<Result<void>> start(HubConnection& connection) {
        std::optional<Result<void>> result;
        connection.start([&](Result<void> r) { result = std::move(r); });
        executor->runPending();
        return result;
    }

    HubConnection connected() {
        auto connection = build();
        auto result = start(connection);
        EXPECT_TRUE(result.has_value() && result->ok());
        EXPECT_EQ(connection.state(), ConnectionState::Connected);
        return connection;
    }

    std::shared_ptr<FakeTransportState> transport() { return transports->last(); }

    /// Server-to-client message (a record separator is appended).
    void serverSends(const std::string& json) {
        transport()->receive(json + kRS);
        executor->runPending();
    }

    /// Client messages after the handshake, record separators stripped.
    std::vector<std::string> sent() { return transport()->messages(); }

    /// invoke(), send() and stream() each fail at once with `code`.
    void expectEveryCallFailsWith(HubConnection& connection, ErrorCode code) {
        std::optional<Result<Value>> invoked;
        std::optional<Result<void>> sentResult;
        std::optional<Result<void>> streamed;
        connection.invoke("A", {}, [&](Result<Value> r) { invoked = std::move(r); });
        connection.send("B", {}, [&](Result<void> r) { sentResult = r; });
        auto sub = connection.stream<int>(
            "C", {}, [](int) {}, [&](Result<void> r) { streamed = r; });
        executor->runPending();
        ASSERT_TRUE(invoked && sentResult && streamed);
        EXPECT_EQ(invoked->error().code, code);
        EXPECT_EQ(sentResult->error().code, code);
        EXPECT_EQ(streamed->error().code, code);
        sub.cancel();
        executor->runPending();
    }

    bool logged(LogLevel level, const std::string& needle) const {
        for (const auto& [l, m] : logs) {
            if (l == level && m.find(needle) != std::string::npos) {
                return true;
            }
        }
        return false;
    }
};

} // namespace signalr::test
