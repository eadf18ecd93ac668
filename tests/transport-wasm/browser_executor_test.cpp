// The browser executor under Node: posts and timers run from the event loop, in order, and
// nothing runs (or stays armed) that was not asked for.
#include <emscripten/eventloop.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "async_test.hpp"
#include "browser_executor.hpp"

using namespace std::chrono_literals;
using signalr::detail::BrowserExecutor;
using signalr::test::addTest;
using signalr::test::check;
using signalr::test::Done;

namespace {

std::string join(const std::vector<int>& items) {
    std::string text;
    for (int item : items) {
        text += std::to_string(item) + " ";
    }
    return text;
}

const bool postedTasksRunLaterInOrder = addTest("PostedTasksRunLaterInOrder", [](Done done) {
    auto executor = std::make_shared<BrowserExecutor>();
    auto order = std::make_shared<std::vector<int>>();
    for (int i = 1; i <= 3; ++i) {
        executor->post([order, i] { order->push_back(i); });
    }
    if (!order->empty()) {
        return done("a task ran inside post()");
    }
    executor->post([executor, order, done] {
        done(check(*order == std::vector<int>{1, 2, 3}, "order: " + join(*order)));
    });
});

const bool aTaskPostedByATaskRunsInALaterTurn =
    addTest("ATaskPostedByATaskRunsInALaterTurn", [](Done done) {
        auto executor = std::make_shared<BrowserExecutor>();
        auto order = std::make_shared<std::vector<int>>();
        executor->post([executor, order, done] {
            order->push_back(1);
            executor->post([executor, order, done] {
                order->push_back(3);
                done(check(*order == std::vector<int>{1, 2, 3}, "order: " + join(*order)));
            });
        });
        executor->post([order] { order->push_back(2); });
    });

const bool aPostedTaskRunsBeforeTheNextBrowserEvent =
    addTest("APostedTaskRunsBeforeTheNextBrowserEvent", [](Done done) {
        // A microtask: it runs when the caller's JavaScript returns, ahead of a zero-delay timer
        // armed before it.
        auto executor = std::make_shared<BrowserExecutor>();
        auto order = std::make_shared<std::vector<int>>();
        emscripten_set_timeout(
            [](void* data) { static_cast<std::vector<int>*>(data)->push_back(2); }, 0, order.get());
        executor->post([order] { order->push_back(1); });
        executor->schedule(20ms, [executor, order, done] {
            done(check(*order == std::vector<int>{1, 2}, "order: " + join(*order)));
        });
    });

const bool aTaskThatKeepsPostingLetsTimersRun =
    addTest("ATaskThatKeepsPostingLetsTimersRun", [](Done done) {
        // Were every turn a microtask, the timer would never get its turn.
        auto executor = std::make_shared<BrowserExecutor>();
        auto stop = std::make_shared<bool>(false);
        auto turns = std::make_shared<int>(0);
        auto repost = std::make_shared<std::function<void()>>();
        *repost = [executor, stop, turns, repost] {
            ++*turns;
            if (!*stop) {
                executor->post(*repost);
            }
        };
        executor->post(*repost);
        executor->schedule(5ms, [executor, stop, turns, repost, done] {
            *stop = true;
            *repost = nullptr; // breaks the cycle through the lambda's own copy
            done(check(*turns > 16, "only " + std::to_string(*turns) + " turns ran"));
        });
    });

const bool timersFireInDeadlineOrderNotBeforeTheirDelay =
    addTest("TimersFireInDeadlineOrderNotBeforeTheirDelay", [](Done done) {
        auto executor = std::make_shared<BrowserExecutor>();
        auto order = std::make_shared<std::vector<int>>();
        const auto start = executor->now();
        executor->schedule(60ms, [executor, order, start, done] {
            order->push_back(60);
            const auto elapsed = executor->now() - start;
            if (auto failure = check(elapsed >= 55ms, "fired early")) {
                return done(failure);
            }
            done(check(*order == std::vector<int>{20, 60}, "order: " + join(*order)));
        });
        executor->schedule(20ms, [order] { order->push_back(20); });
    });

const bool cancelledTimersNeverFire = addTest("CancelledTimersNeverFire", [](Done done) {
    auto executor = std::make_shared<BrowserExecutor>();
    auto fired = std::make_shared<bool>(false);
    const auto id = executor->schedule(10ms, [fired] { *fired = true; });
    if (id == 0) {
        return done("schedule() returned 0");
    }
    executor->cancel(id);
    executor->cancel(id);        // twice: a no-op
    executor->cancel(id + 1000); // unknown: a no-op
    if (executor->pendingBrowserCallbacks() != 0) {
        return done("a cancelled timer is still armed in the browser");
    }
    executor->schedule(
        40ms, [executor, fired, done] { done(check(!*fired, "the cancelled timer fired")); });
});

const bool aTimerCancelledByAnEarlierOneNeverFires =
    addTest("ATimerCancelledByAnEarlierOneNeverFires", [](Done done) {
        auto executor = std::make_shared<BrowserExecutor>();
        auto fired = std::make_shared<bool>(false);
        auto later = std::make_shared<signalr::Executor::TimerId>(0);
        executor->schedule(5ms, [executor, later] { executor->cancel(*later); });
        *later = executor->schedule(15ms, [fired] { *fired = true; });
        executor->schedule(
            40ms, [executor, fired, done] { done(check(!*fired, "cancelled timer fired")); });
    });

// The runner's own timer waits here: the executor under test is gone.
void afterDestruction(std::shared_ptr<bool> ran, Done done) {
    struct Wait {
        std::shared_ptr<bool> ran;
        Done done;
    };
    static Wait wait;
    wait = Wait{std::move(ran), std::move(done)};
    emscripten_set_timeout(
        [](void*) {
            auto finished = std::move(wait);
            finished.done(check(!*finished.ran, "a task or timer ran after the executor died"));
        },
        50, nullptr);
}

const bool destroyingTheExecutorDropsWhatIsPending =
    addTest("DestroyingTheExecutorDropsWhatIsPending", [](Done done) {
        auto ran = std::make_shared<bool>(false);
        {
            BrowserExecutor executor;
            executor.post([ran] { *ran = true; });
            executor.schedule(10ms, [ran] { *ran = true; });
        }
        afterDestruction(ran, std::move(done));
    });

const bool nothingStaysArmedWhenIdle = addTest("NothingStaysArmedWhenIdle", [](Done done) {
    auto executor = std::make_shared<BrowserExecutor>();
    executor->post([] {});
    executor->schedule(1ms, [executor, done] {
        // This timer is being run: it is no longer armed, and the post ran long ago.
        done(check(executor->pendingBrowserCallbacks() == 0,
                   std::to_string(executor->pendingBrowserCallbacks()) + " callbacks armed"));
    });
});

const bool nowIsMonotonicAndFollowsRealTime =
    addTest("NowIsMonotonicAndFollowsRealTime", [](Done done) {
        auto executor = std::make_shared<BrowserExecutor>();
        const auto first = executor->now();
        if (executor->now() < first) {
            return done("now() went backwards");
        }
        executor->schedule(30ms, [executor, first, done] {
            const auto elapsed = executor->now() - first;
            done(check(elapsed >= 25ms && elapsed < 5s,
                       "elapsed " + std::to_string(elapsed.count()) + " ticks"));
        });
    });

} // namespace

int main() {
    signalr::test::runAllAndExit();
}
