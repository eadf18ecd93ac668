#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "signalr/connection_events.hpp"
#include "signalr/connection_metrics.hpp"
#include "signalr/connection_state.hpp"
#include "signalr/result.hpp"
#include "signalr/stream_subscription.hpp"
#include "signalr/value.hpp"

namespace signalr {

namespace detail {
class HubConnectionCore;
} // namespace detail

/// Identifies one handler registered with HubConnection::on().
using HandlerId = std::uint64_t;

namespace detail {
/// `Take`: the arguments are read by nobody else, so converters may move out of them.
template <bool Take, class... A, std::size_t... I>
Result<std::tuple<A...>>
convertArguments(std::conditional_t<Take, Arguments&, const Arguments&> args,
                 std::index_sequence<I...>) {
    if (args.size() < sizeof...(A)) {
        return fail(ErrorCode::TypeMismatch, "expected " + std::to_string(sizeof...(A)) +
                                                 " arguments, got " + std::to_string(args.size()));
    }
    std::tuple<Result<std::decay_t<A>>...> converted{[&]() -> Result<std::decay_t<A>> {
        if constexpr (Take) {
            return Converter<std::decay_t<A>>::fromValue(std::move(args[I]));
        } else {
            return Converter<std::decay_t<A>>::fromValue(args[I]);
        }
    }()...};
    std::optional<Error> firstError;
    (
        [&] {
            if (!firstError && !std::get<I>(converted)) {
                firstError = std::get<I>(converted).error();
            }
        }(),
        ...);
    if (firstError) {
        return std::move(*firstError);
    }
    return std::tuple<A...>{std::move(std::get<I>(converted)).value()...};
}
} // namespace detail

namespace detail {
/// The parameter types of a callable with one non-template call operator (or a function
/// pointer), decayed; no `Tuple` member for anything else (generic lambdas).
template <class T, class = void>
struct CallableArgs {};
template <class T>
struct CallableArgs<T, std::void_t<decltype(&T::operator())>>
    : CallableArgs<decltype(&T::operator())> {};
template <class R, class... A>
struct CallableArgs<R (*)(A...), void> {
    using Tuple = std::tuple<std::decay_t<A>...>;
};
template <class R, class... A>
struct CallableArgs<R (*)(A...) noexcept, void> : CallableArgs<R (*)(A...)> {};
template <class R, class C, class... A>
struct CallableArgs<R (C::*)(A...), void> : CallableArgs<R (*)(A...)> {};
template <class R, class C, class... A>
struct CallableArgs<R (C::*)(A...) const, void> : CallableArgs<R (*)(A...)> {};
template <class R, class C, class... A>
struct CallableArgs<R (C::*)(A...) noexcept, void> : CallableArgs<R (*)(A...)> {};
template <class R, class C, class... A>
struct CallableArgs<R (C::*)(A...) const noexcept, void> : CallableArgs<R (*)(A...)> {};

/// A handler whose parameters say which types to convert the server's arguments to. A callable
/// taking exactly `const Arguments&` (or `Arguments`) is the untyped form instead: a callable
/// taking one `Value` gets the first argument, not the whole list.
template <class F>
concept TypedHandler = requires {
    typename CallableArgs<std::decay_t<F>>::Tuple;
}
&&!std::is_same_v<typename CallableArgs<std::decay_t<F>>::Tuple, std::tuple<Arguments>>;

template <class Tuple>
struct ArgumentConverter;
template <class... A>
struct ArgumentConverter<std::tuple<A...>> {
    static Result<std::tuple<A...>> convert(const Arguments& args) {
        return convertArguments<false, A...>(args, std::index_sequence_for<A...>{});
    }
    static Result<std::tuple<A...>> take(Arguments& args) {
        return convertArguments<true, A...>(args, std::index_sequence_for<A...>{});
    }
};

/// What on() registers: `last` says that no other handler or responder reads the arguments
/// after this one, so it may move values out of them.
using ArgumentsHandler = std::function<Result<void>(Arguments& args, bool last)>;
/// What stream() registers: the item is the handler's to move from.
using ItemHandler = std::function<Result<void>(Value& item)>;
} // namespace detail

/// A connection to one SignalR hub. Build it with HubConnectionBuilder.
///
/// Thread safety: every method may be called from any thread. Every callback (completions,
/// handlers, events) runs on the connection's executor: the libwebsockets loop thread natively,
/// the browser's event loop on wasm. A callback may call back into the connection, including
/// stop(), and may destroy it.
///
/// Every completion callback runs exactly once: with the result, the server's error, or an error
/// saying why not (ConnectionLost, Cancelled, InvalidState, ...).
///
/// Destroying the handle stops the connection: pending completions still run (with Cancelled),
/// but from then on no handler, responder or closed handler runs, so they may capture objects
/// that die with the handle. (A handle destroyed off the executor thread may still see callbacks
/// that were already running or queued.) On a moved-from handle, completions run at once on the
/// calling thread with InvalidState.
class HubConnection {
public:
    using Completion = std::function<void(Result<void>)>;

    explicit HubConnection(std::shared_ptr<detail::HubConnectionCore> core);
    HubConnection(HubConnection&&) noexcept;
    HubConnection& operator=(HubConnection&&) noexcept;
    HubConnection(const HubConnection&) = delete;
    HubConnection& operator=(const HubConnection&) = delete;
    /// Stops the connection; pending completions then run with ErrorCode::Cancelled.
    ~HubConnection();

    /// Negotiates, opens the transport and completes the handshake. Fails with InvalidState
    /// unless the connection is Disconnected or Failed. Handlers and event subscriptions are
    /// kept across stop() and start().
    void start(Completion done = {});
    /// Sends a Close message, closes the transport and fails pending calls with Cancelled.
    /// Completes once the connection is Disconnected; stopping a stopped connection succeeds.
    /// While reconnecting (even during a retry delay) it ends the connection at once.
    void stop(Completion done = {});
    /// Forces a new connection now, from Connected or Reconnecting: the transport is dropped
    /// (DisconnectKind::NetworkError, "reconnect requested") and the reconnect policy runs
    /// with attempt 1 at once. `done` runs when Connected again, or with the error when the
    /// policy gives up (state Failed). Without a policy: one immediate attempt.
    void reconnect(Completion done = {});

    /// A snapshot of the state and what goes with it, readable from any thread:
    /// `conn.state() == ConnectionState::Connected`.
    ConnectionStateSnapshot state() const;
    /// Counters and round-trip times; any thread, takes no lock.
    ConnectionMetrics metrics() const;
    /// The server's id for this connection while connected (nullopt with skipNegotiation).
    std::optional<std::string> connectionId() const;

    /// Calls a hub method and delivers its result converted to R (Value for the raw result,
    /// void to ignore it). `conn.invoke<std::int64_t>("Add", {1, 2}, callback)`.
    /// `done` is any callable taking Result<R> (or {} for none); it is stored as it is, without
    /// a std::function of its own.
    template <class R = Value, class F = std::function<void(Result<R>)>>
    void invoke(std::string method, Arguments args, F&& done = F());

    /// Calls a hub method without waiting for it: `done` runs once the message is handed to
    /// the transport.
    void send(std::string method, Arguments args, Completion done = {});

    /// Starts a server-to-client stream. `onItem` runs for each item in order; `onComplete`
    /// runs once at the end: success, the server's error (after all items that came before it),
    /// ConnectionLost, or Cancelled after StreamSubscription::cancel().
    template <class T = Value>
    StreamSubscription stream(std::string method, Arguments args,
                              std::type_identity_t<std::function<void(T)>> onItem,
                              Completion onComplete);

    /// Registers a handler for calls the server makes to `method` (case-sensitive). Several
    /// handlers per method run in registration order. Allowed in any state.
    HandlerId on(std::string method, std::function<void(const Arguments&)> handler);
    /// Typed form; the argument types come from the callable:
    /// `conn.on("Message", [](std::string user, std::int64_t n) {...})`.
    /// Calls whose arguments do not convert are logged and skipped.
    template <class F>
        requires detail::TypedHandler<F> HandlerId on(std::string method, F&& handler);

    /// Removes one handler; unknown ids are ignored.
    void off(HandlerId id);
    /// Removes every handler of `method`.
    void off(const std::string& method);

    /// Answers server calls that expect a result (`Clients.Caller.InvokeAsync<T>` on the hub):
    /// `respond(signalr::Value(42))`, or `respond(signalr::fail(ErrorCode::HubError, "why"))`.
    /// One responder per method; a later one replaces the earlier. `respond` may be called later,
    /// from any callback, exactly once. Calls with no responder are answered with an error.
    void
    onInvocation(std::string method,
                 std::function<void(const Arguments&, std::function<void(Result<Value>)> respond)>
                     responder);

    /// Adds a handler that runs each time an established connection ends (not when start()
    /// fails: start's completion reports that). Several handlers run in the order added. The
    /// argument is nullopt after stop() and after a server Close without an error; otherwise
    /// it says why: ServerClosed (the server's Close text in serverMessage), ConnectionLost
    /// (the transport dropped), Timeout (server timeout) or ProtocolError.
    void onClosed(std::function<void(const std::optional<Error>&)> handler);

    /// Subscribes `handler` to every connection event (see ConnectionEventHandler for the
    /// order). The connection keeps it alive until removeEventHandler() or destruction.
    EventSubscription addEventHandler(std::shared_ptr<ConnectionEventHandler> handler);
    /// start() began (state Connecting).
    EventSubscription onConnecting(std::function<void()> handler);
    /// start() succeeded (state Connected); the argument is the connection id.
    EventSubscription onConnected(std::function<void(const std::optional<std::string>&)> handler);
    /// A live connection ended; the reason says who ended it and why. Fires before
    /// onReconnecting or onClosed.
    EventSubscription onDisconnected(std::function<void(const DisconnectReason&)> handler);
    /// A reconnect attempt (1-based) is about to be waited for; the error is why the
    /// connection or the previous attempt failed.
    EventSubscription
    onReconnecting(std::function<void(std::uint32_t attempt, const Error&)> handler);
    /// A reconnect attempt succeeded (state Connected) with this connection id.
    EventSubscription onReconnected(
        std::function<void(std::uint32_t attempt, const std::optional<std::string>&)> handler);
    /// The policy gave up (state Failed); onClosed follows with the same error.
    EventSubscription onReconnectFailed(std::function<void(const Error&)> handler);
    /// Removes one subscription; unknown ids are ignored.
    void removeEventHandler(EventSubscription id);

private:
    void invokeRaw(std::string method, Arguments args, std::function<void(Result<Value>)> done);
    StreamSubscription streamRaw(std::string method, Arguments args, detail::ItemHandler onItem,
                                 Completion onComplete);
    HandlerId onRaw(std::string method, detail::ArgumentsHandler handler);

    std::shared_ptr<detail::HubConnectionCore> core_;
};

namespace detail {
template <class F>
struct IsStdFunction : std::false_type {};
template <class S>
struct IsStdFunction<std::function<S>> : std::true_type {};

// Only a std::function or a function pointer can be empty; a lambda never is.
template <class F>
bool isEmptyCallback(const F& f) {
    if constexpr (IsStdFunction<F>::value || std::is_pointer_v<F>) {
        return f == nullptr;
    } else {
        return false;
    }
}
} // namespace detail

template <class R, class F>
void HubConnection::invoke(std::string method, Arguments args, F&& done) {
    if constexpr (std::is_same_v<R, Value>) {
        invokeRaw(std::move(method), std::move(args), std::forward<F>(done));
    } else if constexpr (std::is_null_pointer_v<std::remove_cvref_t<F>>) {
        invokeRaw(std::move(method), std::move(args), {});
    } else {
        if (detail::isEmptyCallback(done)) {
            invokeRaw(std::move(method), std::move(args), {});
            return;
        }
        invokeRaw(std::move(method), std::move(args),
                  [done = std::forward<F>(done)](Result<Value> result) mutable {
                      if (!result) {
                          done(std::move(result).error());
                      } else if constexpr (std::is_void_v<R>) {
                          done(Result<void>());
                      } else {
                          done(Converter<R>::fromValue(std::move(result).value()));
                      }
                  });
    }
}

template <class T>
StreamSubscription HubConnection::stream(std::string method, Arguments args,
                                         std::type_identity_t<std::function<void(T)>> onItem,
                                         Completion onComplete) {
    return streamRaw(
        std::move(method), std::move(args),
        [onItem = std::move(onItem)](Value& item) -> Result<void> {
            auto converted = Converter<T>::fromValue(std::move(item));
            if (!converted) {
                return std::move(converted).error();
            }
            if (onItem) {
                onItem(std::move(converted).value());
            }
            return {};
        },
        std::move(onComplete));
}

template <class F>
    requires detail::TypedHandler<F> HandlerId HubConnection::on(std::string method, F&& handler) {
        using Args = typename detail::CallableArgs<std::decay_t<F>>::Tuple;
        return onRaw(std::move(method),
                     [handler = std::forward<F>(handler)](Arguments& args,
                                                          bool last) mutable -> Result<void> {
                         auto converted = last ? detail::ArgumentConverter<Args>::take(args)
                                               : detail::ArgumentConverter<Args>::convert(args);
                         if (!converted) {
                             return std::move(converted).error();
                         }
                         std::apply(handler, std::move(converted).value());
                         return {};
                     });
    }

} // namespace signalr
