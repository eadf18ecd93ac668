#include "js_hub_connection.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "js_value.hpp"
#include "signalr/signalr.hpp"

using emscripten::val;

extern "C" {
// bindings-js/src/signalr_bindings.js
void signalr_js_dispatch(emscripten::EM_VAL sink, emscripten::EM_VAL method,
                         emscripten::EM_VAL args);
void signalr_js_dispatch_json(emscripten::EM_VAL sink, emscripten::EM_VAL method, const char* json,
                              std::size_t length);
}

namespace signalr::js {

struct JsHubConnection::Shared {
    explicit Shared(val s) : sink(std::move(s)) {}

    val sink;
    std::optional<HubConnection> connection;
    std::optional<Error> buildError;
    std::map<int, StreamSubscription> streams;
    std::map<std::string, HandlerId> handlers;
    std::map<int, std::function<void(Result<Value>)>> responders;
    int nextResponseId = 0;
};

namespace {

using Weak = std::weak_ptr<JsHubConnection::Shared>;

val errorToJs(const Error& error) {
    auto object = val::object();
    object.set("code", val(std::string(toString(error.code))));
    object.set("message", val(error.message));
    object.set("serverMessage", val(error.serverMessage));
    return object;
}

void settle(const Weak& weak, int id, const Result<Value>& result) {
    if (auto shared = weak.lock()) {
        if (result) {
            shared->sink.call<void>("settle", id, true, toJs(result.value()));
        } else {
            shared->sink.call<void>("settle", id, false, errorToJs(result.error()));
        }
    }
}

void settleVoid(const Weak& weak, int id, const Result<void>& result) {
    if (auto shared = weak.lock()) {
        if (result) {
            shared->sink.call<void>("settle", id, true, val::undefined());
        } else {
            shared->sink.call<void>("settle", id, false, errorToJs(result.error()));
        }
    }
}

Result<HubConnection> build(const val& options, const Weak& weak) {
    HubConnectionBuilder builder;
    builder.withUrl(options["url"].as<std::string>());
    const auto headers = options["headers"];
    const auto count = headers["length"].as<unsigned>();
    for (unsigned i = 0; i < count; ++i) {
        builder.withHeader(headers[i][0].as<std::string>(), headers[i][1].as<std::string>());
    }
    builder.skipNegotiation(options["skipNegotiation"].as<bool>());
    if (const auto ms = options["serverTimeoutMs"].as<double>(); ms > 0) {
        builder.withServerTimeout(std::chrono::milliseconds(static_cast<std::int64_t>(ms)));
    }
    if (const auto ms = options["keepAliveIntervalMs"].as<double>(); ms > 0) {
        builder.withKeepAliveInterval(std::chrono::milliseconds(static_cast<std::int64_t>(ms)));
    }
    if (options["accessToken"].as<bool>()) {
        builder.withAccessTokenProvider([weak]() -> Result<std::string> {
            auto shared = weak.lock();
            if (!shared) {
                return fail(ErrorCode::Cancelled, "the connection is gone");
            }
            const auto token = shared->sink.call<val>("accessToken");
            if (token.isString()) {
                return token.as<std::string>();
            }
            return fail(ErrorCode::Unauthorized,
                        "the access token factory failed: " + token["error"].as<std::string>());
        });
    }
    const auto reconnect = options["reconnect"];
    if (reconnect.isArray()) {
        std::vector<std::chrono::milliseconds> delays;
        const auto length = reconnect["length"].as<unsigned>();
        for (unsigned i = 0; i < length; ++i) {
            delays.emplace_back(static_cast<std::int64_t>(reconnect[i].as<double>()));
        }
        builder.withAutomaticReconnect(ReconnectPolicy::delays(std::move(delays)));
    } else if (reconnect.isString()) {
        builder.withAutomaticReconnect(ReconnectPolicy::custom(
            [weak](const RetryContext& context) -> std::optional<std::chrono::milliseconds> {
                auto shared = weak.lock();
                if (!shared) {
                    return std::nullopt;
                }
                const auto delay = shared->sink.call<val>(
                    "nextRetryDelay", static_cast<double>(context.previousRetryCount),
                    static_cast<double>(context.elapsed.count()), context.reason.message,
                    std::string(toString(context.reason.code)));
                if (!delay.isNumber()) {
                    return std::nullopt;
                }
                return std::chrono::milliseconds(static_cast<std::int64_t>(delay.as<double>()));
            }));
    }
    const auto level = static_cast<LogLevel>(options["logLevel"].as<int>());
    builder.configureLogging(level, [weak](LogLevel l, std::string_view message) {
        if (auto shared = weak.lock()) {
            shared->sink.call<void>("log", static_cast<int>(l), std::string(message));
        }
    });
    return builder.build();
}

} // namespace

JsHubConnection::JsHubConnection(val options, val sink)
    : shared_(std::make_shared<Shared>(std::move(sink))) {
    Weak weak = shared_;
    auto built = build(options, weak);
    if (!built) {
        shared_->buildError = std::move(built).error();
        return;
    }
    shared_->connection.emplace(std::move(built).value());
    shared_->connection->onClosed([weak](const std::optional<Error>& error) {
        if (auto shared = weak.lock()) {
            shared->sink.call<void>("closed", error ? errorToJs(*error) : val::null());
        }
    });
    // As in @microsoft/signalr, onreconnecting fires once per outage, not once per attempt.
    shared_->connection->onReconnecting([weak](std::uint32_t attempt, const Error& reason) {
        auto shared = weak.lock();
        if (shared && attempt == 1) {
            shared->sink.call<void>("reconnecting", errorToJs(reason));
        }
    });
    shared_->connection->onReconnected([weak](std::uint32_t,
                                              const std::optional<std::string>& connectionId) {
        if (auto shared = weak.lock()) {
            shared->sink.call<void>("reconnected", connectionId ? val(*connectionId) : val::null());
        }
    });
}

// Destroying the connection stops it; its completions then find no Shared and report nothing:
// index.js deletes this object only after the connection ended.
JsHubConnection::~JsHubConnection() = default;

void JsHubConnection::start(int id) {
    if (!shared_->connection) {
        settleVoid(shared_, id, *shared_->buildError);
        return;
    }
    shared_->connection->start(
        [weak = Weak(shared_), id](Result<void> r) { settleVoid(weak, id, r); });
}

void JsHubConnection::stop(int id) {
    if (!shared_->connection) {
        settleVoid(shared_, id, {});
        return;
    }
    shared_->connection->stop(
        [weak = Weak(shared_), id](Result<void> r) { settleVoid(weak, id, r); });
}

void JsHubConnection::invoke(int id, std::string method, val args) {
    auto converted = argumentsFromJs(args);
    if (!shared_->connection || !converted) {
        settle(shared_, id,
               shared_->connection ? std::move(converted).error() : *shared_->buildError);
        return;
    }
    shared_->connection->invoke(
        std::move(method), std::move(converted).value(),
        [weak = Weak(shared_), id](Result<Value> r) { settle(weak, id, r); });
}

void JsHubConnection::send(int id, std::string method, val args) {
    auto converted = argumentsFromJs(args);
    if (!shared_->connection || !converted) {
        settleVoid(shared_, id,
                   shared_->connection ? std::move(converted).error() : *shared_->buildError);
        return;
    }
    shared_->connection->send(
        std::move(method), std::move(converted).value(),
        [weak = Weak(shared_), id](Result<void> r) { settleVoid(weak, id, r); });
}

void JsHubConnection::stream(int id, std::string method, val args) {
    auto converted = argumentsFromJs(args);
    if (!shared_->connection || !converted) {
        settleVoid(shared_, id,
                   shared_->connection ? std::move(converted).error() : *shared_->buildError);
        return;
    }
    Weak weak = shared_;
    auto subscription = shared_->connection->stream<Value>(
        std::move(method), std::move(converted).value(),
        [weak, id](Value item) {
            if (auto shared = weak.lock()) {
                shared->sink.call<void>("item", id, toJs(item));
            }
        },
        [weak, id](Result<void> end) {
            if (auto shared = weak.lock()) {
                shared->streams.erase(id);
            }
            settleVoid(weak, id, end);
        });
    shared_->streams.emplace(id, std::move(subscription));
}

void JsHubConnection::cancelStream(int id) {
    if (auto it = shared_->streams.find(id); it != shared_->streams.end()) {
        auto subscription = std::move(it->second);
        shared_->streams.erase(it);
        subscription.cancel();
    }
}

void JsHubConnection::on(std::string method) {
    if (!shared_->connection || shared_->handlers.count(method) != 0) {
        return;
    }
    Weak weak = shared_;
    const auto id =
        shared_->connection->on(method, [weak, name = val(method)](const Arguments& args) {
            auto shared = weak.lock();
            if (!shared) {
                return;
            }
            // Usually one call: JSON.parse of the arguments' text and the dispatch together.
            if (auto json = argumentsAsJson(args)) {
                signalr_js_dispatch_json(shared->sink.as_handle(), name.as_handle(), json->data(),
                                         json->size());
            } else {
                signalr_js_dispatch(shared->sink.as_handle(), name.as_handle(),
                                    argumentsToJs(args).as_handle());
            }
        });
    shared_->handlers.emplace(method, id);
    // The core runs the handlers, then (for a call with an id) the responder, on one stack:
    // index.js answers with what its handlers just returned.
    shared_->connection->onInvocation(
        method, [weak, method](const Arguments&, std::function<void(Result<Value>)> respond) {
            auto shared = weak.lock();
            if (!shared) {
                return;
            }
            const auto responseId = ++shared->nextResponseId;
            shared->responders.emplace(responseId, std::move(respond));
            shared->sink.call<void>("answer", responseId, method);
        });
}

void JsHubConnection::off(std::string method) {
    if (auto it = shared_->handlers.find(method); it != shared_->handlers.end()) {
        shared_->connection->off(it->second);
        shared_->handlers.erase(it);
    }
}

void JsHubConnection::respond(int responseId, bool ok, val value) {
    auto it = shared_->responders.find(responseId);
    if (it == shared_->responders.end()) {
        return;
    }
    auto respondOnce = std::move(it->second);
    shared_->responders.erase(it);
    if (!ok) {
        respondOnce(fail(ErrorCode::HubError, value.as<std::string>()));
        return;
    }
    auto converted = fromJs(value);
    if (!converted) {
        respondOnce(fail(ErrorCode::HubError,
                         "the client's result could not be sent: " + converted.error().message));
        return;
    }
    respondOnce(std::move(converted).value());
}

std::string JsHubConnection::state() const {
    if (!shared_->connection) {
        return "Disconnected";
    }
    const auto state = shared_->connection->state().state;
    // Failed (the policy gave up) is Disconnected to JavaScript, as in @microsoft/signalr.
    return state == ConnectionState::Failed ? "Disconnected" : std::string(toString(state));
}

val JsHubConnection::connectionId() const {
    if (!shared_->connection) {
        return val::null();
    }
    auto id = shared_->connection->connectionId();
    return id ? val(*id) : val::null();
}

} // namespace signalr::js
