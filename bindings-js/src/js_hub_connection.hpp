#pragma once

#include <memory>
#include <string>

#include <emscripten/val.h>

namespace signalr::js {

/// The native half of the JavaScript HubConnection (index.js): one signalr::HubConnection, for
/// one start() .. close cycle. index.js builds one per start() and deletes it once the connection
/// has ended, so nothing a connection owned outlives it (handlers live in JavaScript).
///
/// Every operation takes a JavaScript call id and reports back through the `sink` object given
/// at construction, whose methods never throw (index.js wraps user code):
///   settle(id, ok, valueOrError)   a start/stop/invoke/send/stream finished; an error is
///                                  {code, message, serverMessage}
///   item(id, value)                a stream item
///   dispatch(method, args)         the server called a client method
///   answer(responseId, method)     ... and waits for a result: index.js calls respond()
///   closed(errorOrNull)            the connection ended (not after a failed start)
///   reconnecting(error), reconnected(connectionIdOrNull)
///   nextRetryDelay(retries, elapsedMs, message) -> number|null   a custom reconnect policy
///   accessToken() -> string | {error}
///   log(level, message)
/// They run on the browser's event loop; settle() may also run inside the call that failed
/// (a bad argument, a connection that could not be built), so index.js registers each id first.
class JsHubConnection {
public:
    /// `options`: {url, headers: [[name, value]...], skipNegotiation, logLevel (0 Trace .. 6
    /// None), accessToken (bool: call sink.accessToken()), reconnect (null | delays in ms |
    /// "policy"), serverTimeoutMs, keepAliveIntervalMs} (timeouts: 0 keeps the default).
    JsHubConnection(emscripten::val options, emscripten::val sink);
    JsHubConnection(const JsHubConnection&) = delete;
    JsHubConnection& operator=(const JsHubConnection&) = delete;
    ~JsHubConnection();

    void start(int id);
    void stop(int id);
    void invoke(int id, std::string method, emscripten::val args);
    void send(int id, std::string method, emscripten::val args);
    void stream(int id, std::string method, emscripten::val args);
    void cancelStream(int id);
    /// Routes the server's calls of `method` to sink.dispatch/answer (once per method).
    void on(std::string method);
    void off(std::string method);
    /// Answers sink.answer(responseId, ...): a value, or (ok false) an error text.
    void respond(int responseId, bool ok, emscripten::val value);

    std::string state() const;
    emscripten::val connectionId() const;

    struct Shared;

private:
    std::shared_ptr<Shared> shared_;
};

} // namespace signalr::js
