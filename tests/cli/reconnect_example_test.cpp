// examples/reconnect against a hub that is killed and started again on the same port: the
// events come out in order and calls work again afterwards.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "child_process.hpp"
#include "support/hub_process.hpp"

namespace signalr::test {
namespace {

using namespace std::chrono_literals;

TEST(ReconnectExample, PrintsTheEventsWhileTheHubRestarts) {
    std::string error;
    auto hub = HubProcess::start(error);
    ASSERT_TRUE(hub) << error;
    auto child =
        ChildProcess::spawn({SIGNALR_RECONNECT_EXAMPLE_PATH, hub->baseUrl() + "/hub"}, error);
    ASSERT_TRUE(child) << error;
    child->closeStdin();
    ASSERT_TRUE(child->waitForStdout("connected as ", 20s)) << child->out() << child->err();

    hub->kill();
    ASSERT_TRUE(child->waitForStdout("reconnecting, attempt 1", 20s))
        << child->out() << child->err();
    ASSERT_TRUE(hub->restart(error)) << error;
    auto result = child->wait(40s);
    EXPECT_FALSE(result.timedOut) << result.out << result.err;
    EXPECT_EQ(result.exitCode, 0) << result.out << result.err;

    // In this order, each once (attempts may repeat while the hub is down).
    const auto& out = result.out;
    std::size_t at = 0;
    for (const char* line :
         {"connecting", "connected as ", "disconnected (network error)", "reconnecting, attempt 1",
          "reconnected after ", "the hub sees connection id "}) {
        const auto found = out.find(line, at);
        ASSERT_NE(found, std::string::npos) << "missing or out of order: " << line << "\n" << out;
        at = found;
    }
    EXPECT_EQ(out.find("gave up"), std::string::npos) << out;
    EXPECT_EQ(result.err, "");
    std::printf("%s", out.c_str());
}

} // namespace
} // namespace signalr::test
