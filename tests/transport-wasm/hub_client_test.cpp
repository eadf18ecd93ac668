// The public C++ API, compiled with emcc, against the real hub, in headless Chromium. The page
// (tests/browser/www/transport-wasm/cpp_client.html) runs each test through the browser harness:
// it asks this module for the test names and runs them one by one.
#include <emscripten/emscripten.h>
#include <emscripten/eventloop.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "async_test.hpp"
#include "signalr/signalr.hpp"

using namespace std::chrono_literals;
using signalr::ErrorCode;
using signalr::HubConnection;
using signalr::Result;
using signalr::Value;
using signalr::test::addTest;
using signalr::test::check;
using signalr::test::Done;

// Each result goes to the page's harness: failure is null when the test passed.
EM_JS(void, reportToPage, (int index, const char* failure),
      { Module.onTestDone(index, failure ? UTF8ToString(failure) : null); });

// The page counts the timer and immediate callbacks the browser runs (it wraps setTimeout and
// listens to postMessage): how many ran since `since` (performance.now() ms).
EM_JS(int, pageCallbacksSince, (double since), { return Module.pageCallbacksSince(since); });

namespace {

std::string baseUrl; // the hub's origin, set by the page

/// Builds a connection to `path` on the hub with the default (browser) platform.
Result<HubConnection> connect(const std::string& path,
                              std::function<void(signalr::HubConnectionBuilder&)> configure = {}) {
    signalr::HubConnectionBuilder builder;
    builder.withUrl(baseUrl + path).configureLogging(signalr::LogLevel::Warning);
    if (configure) {
        configure(builder);
    }
    return builder.build();
}

/// Keeps a connection alive until the test is over, then stops it and reports.
struct Session {
    HubConnection connection;
    Done done;

    void finish(std::optional<std::string> failure) {
        auto report = std::move(done);
        if (!report) {
            return;
        }
        connection.stop([report, failure](Result<void>) { report(failure); });
    }
};

/// Builds and starts; `then` runs once connected with the session (or the test fails).
void withConnection(const std::string& path, Done done,
                    std::function<void(std::shared_ptr<Session>)> then,
                    std::function<void(signalr::HubConnectionBuilder&)> configure = {}) {
    auto built = connect(path, std::move(configure));
    if (!built) {
        return done("build: " + built.error().message);
    }
    auto session = std::make_shared<Session>(Session{std::move(built).value(), std::move(done)});
    session->connection.start([session, then = std::move(then)](Result<void> started) {
        if (!started) {
            auto report = std::move(session->done);
            return report("start: " + started.error().message);
        }
        then(session);
    });
}

std::string describe(const signalr::Error& error) {
    return std::string(signalr::toString(error.code)) + ": " + error.message + " / " +
           error.serverMessage;
}

const bool startsAndInvokes = addTest("StartsInvokesAndHasAConnectionId", [](Done done) {
    withConnection("/hub", std::move(done), [](std::shared_ptr<Session> session) {
        if (!session->connection.connectionId() || session->connection.connectionId()->empty()) {
            return session->finish("no connection id after negotiate");
        }
        session->connection.invoke<std::int64_t>(
            "Add", {40, 2}, [session](Result<std::int64_t> sum) {
                if (!sum) {
                    return session->finish(describe(sum.error()));
                }
                session->finish(check(*sum == 42, "Add(40, 2) = " + std::to_string(*sum)));
            });
    });
});

const bool valuesRoundTripExactly = addTest("ValuesRoundTripExactly", [](Done done) {
    withConnection("/hub", std::move(done), [](std::shared_ptr<Session> session) {
        const Value sent = Value::fromObject({
            {"big", Value::fromInt(9007199254740993)},
            {"min", Value::fromInt(INT64_MIN)},
            {"half", Value::fromDouble(0.5)},
            {"text", Value::fromString("h\xC3\xA9llo \xF0\x9F\x98\x80 \"quoted\"\n")},
            {"flags", Value::fromArray({Value::fromBool(true), Value::fromBool(false), nullptr})},
            {"nested", Value::fromObject({{"empty", Value::fromArray({})}})},
        });
        session->connection.invoke<Value>("Echo", {sent}, [session, sent](Result<Value> echoed) {
            if (!echoed) {
                return session->finish(describe(echoed.error()));
            }
            if (*echoed != sent) {
                return session->finish("Echo changed the value: " + signalr::toJson(*echoed));
            }
            const signalr::Bytes bytes{0, 1, 2, 0xFF};
            session->connection.invoke<signalr::Bytes>(
                "EchoBytes", {Value::fromBytes(bytes)},
                [session, bytes](Result<signalr::Bytes> back) {
                    if (!back) {
                        return session->finish(describe(back.error()));
                    }
                    session->finish(check(*back == bytes, "EchoBytes changed the bytes"));
                });
        });
    });
});

const bool hubErrorsCarryTheServersText = addTest("HubErrorsCarryTheServersText", [](Done done) {
    withConnection("/hub", std::move(done), [](std::shared_ptr<Session> session) {
        session->connection.invoke<Value>("Throw", {"boom"}, [session](Result<Value> result) {
            if (result) {
                return session->finish("Throw succeeded");
            }
            const auto& error = result.error();
            session->finish(
                check(error.code == ErrorCode::HubError &&
                          error.serverMessage.find("HubException: boom") != std::string::npos,
                      describe(error)));
        });
    });
});

const bool voidSendAndServerCalls = addTest("VoidSendAndServerCallsReachHandlers", [](Done done) {
    withConnection("/hub", std::move(done), [](std::shared_ptr<Session> session) {
        auto& connection = session->connection;
        connection.on("Broadcast", [session](std::string from, std::string text) {
            session->finish(check(text == "hello" && from == *session->connection.connectionId(),
                                  "Broadcast(" + from + ", " + text + ")"));
        });
        connection.invoke<void>("Void", {}, [session](Result<void> result) {
            if (!result) {
                return session->finish(describe(result.error()));
            }
            session->connection.send("BroadcastCaller", {"hello"}, [session](Result<void> sent) {
                if (!sent) {
                    session->finish(describe(sent.error()));
                }
            });
        });
    });
});

const bool streamsDeliverItemsThenTheEnd =
    addTest("StreamsDeliverItemsInOrderThenTheEnd", [](Done done) {
        withConnection("/hub", std::move(done), [](std::shared_ptr<Session> session) {
            auto items = std::make_shared<std::vector<int>>();
            // Kept in the session's scope: the subscription must outlive this callback.
            static signalr::StreamSubscription subscription;
            subscription = session->connection.stream<int>(
                "Counter", {5, 10}, [items](int item) { items->push_back(item); },
                [session, items](Result<void> end) {
                    if (!end) {
                        return session->finish(describe(end.error()));
                    }
                    session->finish(check(*items == std::vector<int>{0, 1, 2, 3, 4},
                                          std::to_string(items->size()) + " items"));
                });
        });
    });

const bool aFailingStreamEndsWithTheServersError =
    addTest("AFailingStreamEndsWithTheServersError", [](Done done) {
        withConnection("/hub", std::move(done), [](std::shared_ptr<Session> session) {
            auto items = std::make_shared<std::vector<int>>();
            static signalr::StreamSubscription subscription;
            subscription = session->connection.stream<int>(
                "FailingStream", {2, "stream broke"}, [items](int item) { items->push_back(item); },
                [session, items](Result<void> end) {
                    if (end) {
                        return session->finish("the stream succeeded");
                    }
                    session->finish(check(*items == std::vector<int>{0, 1} &&
                                              end.error().serverMessage.find("stream broke") !=
                                                  std::string::npos,
                                          describe(end.error())));
                });
        });
    });

const bool theTokenTravelsInTheQuery = addTest("TheAccessTokenTravelsInTheQuery", [](Done done) {
    withConnection(
        "/hub-auth", std::move(done),
        [](std::shared_ptr<Session> session) {
            session->connection.invoke<std::string>(
                "WhoAmI", {}, [session](Result<std::string> who) {
                    if (!who) {
                        return session->finish(describe(who.error()));
                    }
                    if (*who != "valid-browser") {
                        return session->finish("WhoAmI: " + *who);
                    }
                    session->connection.invoke<std::string>(
                        "GetQuery", {"access_token"}, [session](Result<std::string> token) {
                            session->finish(check(token && *token == "valid-browser",
                                                  "access_token query: " +
                                                      (token ? *token : describe(token.error()))));
                        });
                });
        },
        [](signalr::HubConnectionBuilder& builder) {
            builder.withAccessTokenProvider(
                []() -> Result<std::string> { return std::string("valid-browser"); });
        });
});

const bool aServerCloseReachesOnClosed = addTest("AServerCloseReachesOnClosed", [](Done done) {
    withConnection("/hub", std::move(done), [](std::shared_ptr<Session> session) {
        session->connection.onClosed([session](const std::optional<signalr::Error>& error) {
            session->finish(check(error && error->code == ErrorCode::ServerClosed &&
                                      error->serverMessage == "bye",
                                  error ? describe(*error) : "closed without an error"));
        });
        session->connection.send("CloseMe", {"bye", false});
    });
});

const bool stopCancelsPendingCalls = addTest("StopCancelsPendingCalls", [](Done done) {
    withConnection("/hub", std::move(done), [](std::shared_ptr<Session> session) {
        session->connection.invoke<std::string>(
            "Delay", {5000, "late"}, [session](Result<std::string> result) {
                session->finish(check(!result && result.error().code == ErrorCode::Cancelled,
                                      result ? "completed" : describe(result.error())));
            });
        session->connection.stop();
    });
});

const bool aMissingHubFailsNegotiate = addTest("AMissingHubFailsNegotiate", [](Done done) {
    auto built = connect("/no-such-hub");
    if (!built) {
        return done(built.error().message);
    }
    auto connection = std::make_shared<HubConnection>(std::move(built).value());
    connection->start([connection, done](Result<void> started) {
        done(check(!started && started.error().code == ErrorCode::NegotiateFailed,
                   started ? "started" : describe(started.error())));
    });
});

const bool aRefusedWebSocketFailsTheStart =
    addTest("ARefusedWebSocketFailsTheStart", [](Done done) {
        // The hub answers an upgrade to an unknown path with 404: the browser only says 1006.
        signalr::HubConnectionBuilder builder;
        auto built = builder.withUrl("ws" + baseUrl.substr(4) + "/no-such-hub")
                         .skipNegotiation()
                         .configureLogging(signalr::LogLevel::None)
                         .build();
        if (!built) {
            return done(built.error().message);
        }
        auto connection = std::make_shared<HubConnection>(std::move(built).value());
        connection->start([connection, done](Result<void> started) {
            done(check(!started && started.error().code == ErrorCode::TransportFailed,
                       started ? "started" : describe(started.error())));
        });
    });

// ---- Nothing polls ------------------------------------------------------------------------------

/// Passes everything to the browser executor and records when each timer fires.
class CountingExecutor final : public signalr::Executor {
public:
    explicit CountingExecutor(std::shared_ptr<Executor> inner) : inner_(std::move(inner)) {}

    void post(Task task) override {
        inner_->post([this, task = std::move(task)] {
            ++posts;
            task();
        });
    }
    TimerId schedule(std::chrono::milliseconds delay, Task task) override {
        return inner_->schedule(delay, [this, task = std::move(task)] {
            fired.push_back(emscripten_get_now());
            task();
        });
    }
    void cancel(TimerId id) override { inner_->cancel(id); }
    Clock::time_point now() const override { return inner_->now(); }
    bool isExecutorThread() const override { return true; }

    std::vector<double> fired; // performance.now() of each timer that fired
    int posts = 0;

private:
    std::shared_ptr<Executor> inner_;
};

constexpr double kIdleMs = 5000;
constexpr auto kKeepAlive = 1000ms;

struct IdleWait {
    std::shared_ptr<Session> session;
    std::shared_ptr<CountingExecutor> executor;
    double from = 0;
    int postsBefore = 0;
};

IdleWait idleWait;

void afterIdle(void*) {
    auto wait = std::move(idleWait);
    const double to = emscripten_get_now();
    std::vector<double> during;
    for (double at : wait.executor->fired) {
        if (at >= wait.from && at < to) {
            during.push_back(at);
        }
    }
    std::string timeline;
    for (double at : during) {
        timeline += std::to_string(static_cast<int>(at - wait.from)) + " ";
    }
    const double keepAliveMs = static_cast<double>(kKeepAlive.count());
    // Timers within a few ms of each other are one wake-up of the page: the keep-alive timer
    // re-arms from the last send when it fires, so traffic just before the idle period can add
    // an immediate second fire.
    std::vector<double> wakeUps;
    for (double at : during) {
        if (wakeUps.empty() || at - wakeUps.back() > 50) {
            wakeUps.push_back(at);
        }
    }
    if (wakeUps.size() > kIdleMs / keepAliveMs + 1) {
        return wait.session->finish(std::to_string(wakeUps.size()) +
                                    " executor wake-ups in 5 s idle: " + timeline);
    }
    for (std::size_t i = 1; i < wakeUps.size(); ++i) {
        if (wakeUps[i] - wakeUps[i - 1] < keepAliveMs * 0.9) {
            return wait.session->finish("wake-ups closer than the keep-alive interval: " +
                                        timeline);
        }
    }
    // The page's own count: every setTimeout/setInterval callback and posted immediate the
    // browser ran, ours and Emscripten's (the idle wait's own timer excluded). Each keep-alive
    // wake-up may bring a few (the timer, the send it posts).
    const int pageCallbacks = pageCallbacksSince(wait.from);
    const int postsDuring = wait.executor->posts - wait.postsBefore;
    if (pageCallbacks > 3 * static_cast<int>(kIdleMs / keepAliveMs + 1)) {
        return wait.session->finish(std::to_string(pageCallbacks) +
                                    " browser callbacks in 5 s idle (executor timers: " + timeline +
                                    ", posts: " + std::to_string(postsDuring) + ")");
    }
    std::printf("idle 5 s: %zu executor timers (%sms), %d posts, %d browser callbacks\n",
                during.size(), timeline.c_str(), postsDuring, pageCallbacks);
    wait.session->finish(
        check(wait.session->connection.state() == signalr::ConnectionState::Connected,
              "the idle connection did not stay connected"));
}

const bool anIdleConnectionOnlyWakesForKeepAlive = addTest(
    "AnIdleConnectionWakesOnlyForItsKeepAlive",
    [](Done done) {
        auto executor = std::make_shared<CountingExecutor>(signalr::defaultPlatform().executor);
        auto platform = signalr::defaultPlatform();
        platform.executor = executor;
        withConnection(
            "/hub", std::move(done),
            [executor](std::shared_ptr<Session> session) {
                session->connection.invoke<
                    std::int64_t>("Add", {1, 2}, [session, executor](Result<std::int64_t> sum) {
                    if (!sum) {
                        return session->finish(describe(sum.error()));
                    }
                    // The wait is the browser's own timer, not the executor's: it is
                    // not counted.
                    idleWait = IdleWait{session, executor, emscripten_get_now(), executor->posts};
                    emscripten_set_timeout(&afterIdle, kIdleMs, nullptr);
                });
            },
            [platform](signalr::HubConnectionBuilder& builder) {
                builder.withPlatform(platform).withKeepAliveInterval(kKeepAlive);
            });
    },
    15s);

} // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE int signalr_test_count() {
    return static_cast<int>(signalr::test::asyncTests().size());
}

EMSCRIPTEN_KEEPALIVE const char* signalr_test_name(int index) {
    return signalr::test::asyncTests().at(static_cast<std::size_t>(index)).name.c_str();
}

EMSCRIPTEN_KEEPALIVE int signalr_test_timeout_ms(int index) {
    return static_cast<int>(
        signalr::test::asyncTests().at(static_cast<std::size_t>(index)).timeout.count());
}

/// Runs test `index` against the hub at `hubOrigin`; the result goes to Module.onTestDone.
EMSCRIPTEN_KEEPALIVE void signalr_test_run(int index, const char* hubOrigin) {
    baseUrl = hubOrigin;
    const auto& test = signalr::test::asyncTests().at(static_cast<std::size_t>(index));
    signalr::test::runAsyncTest(test, [index](std::optional<std::string> failure) {
        reportToPage(index, failure ? failure->c_str() : nullptr);
    });
}
}
