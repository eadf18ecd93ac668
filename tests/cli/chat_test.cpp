// Two signalr-chat processes talk through the hub.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "child_process.hpp"
#include "hub_environment.hpp"

namespace signalr::test {
namespace {

using namespace std::chrono_literals;

const std::string kChat = SIGNALR_CHAT_PATH;

std::unique_ptr<ChildProcess> startChat(const std::string& name) {
    std::string error;
    auto chat = ChildProcess::spawn({kChat, hubBaseUrl() + "/hub", name}, error);
    EXPECT_TRUE(chat) << error;
    return chat;
}

TEST(Chat, TwoInstancesExchangeLines) {
    auto alice = startChat("alice");
    auto bob = startChat("bob");
    ASSERT_TRUE(alice && bob);
    // Both must be connected before anyone speaks: BroadcastOthers reaches only those present.
    ASSERT_TRUE(alice->waitForStderr("connected as alice", 20s)) << alice->err();
    ASSERT_TRUE(bob->waitForStderr("connected as bob", 20s)) << bob->err();

    ASSERT_TRUE(alice->writeStdin("hello bob\n"));
    ASSERT_TRUE(bob->waitForStdout("alice: hello bob\n", 10s)) << bob->out() << bob->err();
    ASSERT_TRUE(bob->writeStdin("hi alice\n/quit\n"));
    ASSERT_TRUE(alice->waitForStdout("bob: hi alice\n", 10s)) << alice->out() << alice->err();
    alice->closeStdin();

    auto aliceResult = alice->wait(10s);
    auto bobResult = bob->wait(10s);
    EXPECT_EQ(aliceResult.exitCode, 0) << aliceResult.err;
    EXPECT_EQ(bobResult.exitCode, 0) << bobResult.err;
    // Nobody hears their own lines.
    EXPECT_EQ(aliceResult.out, "bob: hi alice\n");
    EXPECT_EQ(bobResult.out, "alice: hello bob\n");
}

} // namespace
} // namespace signalr::test
