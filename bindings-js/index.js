// signalr-cpp for the browser: the C++ client compiled to WebAssembly, with the API of
// @microsoft/signalr. The connection logic (negotiate, handshake, keep-alive, timeouts,
// reconnection) runs in wasm; this module turns it into Promises, callbacks and async iteration.
// Types: index.d.ts.
import createSignalRModule from './dist/signalr-wasm.mjs';

// Loaded once, when this module is first imported; every connection shares it.
const wasm = await createSignalRModule();

/** Log levels, in the order and with the numbers of @microsoft/signalr's LogLevel. */
export const LogLevel = Object.freeze({
    Trace: 0,
    Debug: 1,
    Information: 2,
    Warning: 3,
    Error: 4,
    Critical: 5,
    None: 6,
});

const levelNames = ['Trace', 'Debug', 'Information', 'Warning', 'Error', 'Critical', 'None'];
const levelAliases = {
    trace: 0, debug: 1, info: 2, information: 2, warn: 3, warning: 3, error: 4, critical: 5, none: 6,
};

/** The states of a connection (string values, as in @microsoft/signalr). */
export const HubConnectionState = Object.freeze({
    Disconnected: 'Disconnected',
    Connecting: 'Connecting',
    Connected: 'Connected',
    Disconnecting: 'Disconnecting',
    Reconnecting: 'Reconnecting',
});

/** Only WebSockets exist in this client; accepted for compatibility with withUrl(url, transport). */
export const HttpTransportType = Object.freeze({ None: 0, WebSockets: 1, ServerSentEvents: 2, LongPolling: 4 });

/**
 * What every rejection and error callback of this library carries. `message` is the server's own
 * text for hub errors (e.g. "An unexpected error occurred invoking 'Throw' on the server.
 * HubException: boom"), otherwise a sentence saying what went wrong.
 */
export class SignalRError extends Error {
    constructor(message, code = 'Internal', serverMessage = '') {
        super(message);
        this.name = 'SignalRError';
        /** The C++ ErrorCode's name: HubError, ConnectionLost, Cancelled, Timeout, ... */
        this.code = code;
        /** The server's text, when the error came from the server ('' otherwise). */
        this.serverMessage = serverMessage;
    }
}

function toError(native) {
    const message = native.code === 'HubError' && native.serverMessage ? native.serverMessage : native.message;
    return new SignalRError(message, native.code, native.serverMessage);
}

class ConsoleLogger {
    constructor(minimum) {
        this.minimum = minimum;
    }

    log(level, message) {
        if (level < this.minimum || level >= LogLevel.None) return;
        const line = `[${new Date().toISOString()}] ${levelNames[level]}: ${message}`;
        if (level >= LogLevel.Error) console.error(line);
        else if (level === LogLevel.Warning) console.warn(line);
        else if (level === LogLevel.Information) console.info(line);
        else console.debug(line);
    }
}

function parseLevel(level) {
    if (typeof level === 'number' && level >= 0 && level <= 6) return level;
    if (typeof level === 'string' && level.toLowerCase() in levelAliases) return levelAliases[level.toLowerCase()];
    throw new TypeError(`unknown log level ${String(level)}`);
}

const defaultReconnectDelays = [0, 2000, 10000, 30000];

/** Configures and builds a HubConnection, like @microsoft/signalr's HubConnectionBuilder. */
export class HubConnectionBuilder {
    #url = null;
    #options = {};
    #logLevel = LogLevel.Warning;
    #logger = null;
    #reconnect = null;
    #serverTimeout = 0;
    #keepAliveInterval = 0;

    /**
     * @param url the hub's URL: absolute, or relative to the page (ws(s):// with skipNegotiation).
     * @param options { accessTokenFactory, skipNegotiation, headers, transport } or a transport type.
     */
    withUrl(url, options = {}) {
        if (typeof url !== 'string' || url === '') throw new TypeError('withUrl: the url must be a non-empty string');
        this.#url = url;
        this.#options = typeof options === 'object' && options !== null ? { ...options } : { transport: options };
        const transport = this.#options.transport;
        if (transport !== undefined && transport !== HttpTransportType.WebSockets && transport !== 'WebSockets') {
            throw new TypeError('only the WebSockets transport is available');
        }
        if (this.#options.accessTokenFactory !== undefined && typeof this.#options.accessTokenFactory !== 'function') {
            throw new TypeError('accessTokenFactory must be a function');
        }
        return this;
    }

    /**
     * Reconnects after a lost connection. No argument: after 0, 2, 10 and 30 seconds, then gives
     * up. An array: one attempt after each delay (ms). An object: its
     * nextRetryDelayInMilliseconds({previousRetryCount, elapsedMilliseconds, retryReason}) returns
     * the next delay, or null to give up.
     */
    withAutomaticReconnect(delaysOrPolicy = defaultReconnectDelays) {
        if (Array.isArray(delaysOrPolicy)) {
            if (!delaysOrPolicy.every((d) => Number.isFinite(d) && d >= 0)) {
                throw new TypeError('withAutomaticReconnect: delays must be non-negative numbers of milliseconds');
            }
            this.#reconnect = { delays: delaysOrPolicy.slice() };
        } else if (delaysOrPolicy && typeof delaysOrPolicy.nextRetryDelayInMilliseconds === 'function') {
            this.#reconnect = { policy: delaysOrPolicy };
        } else {
            throw new TypeError('withAutomaticReconnect takes an array of delays or a retry policy');
        }
        return this;
    }

    /** A LogLevel (number or name such as 'warning'), or a logger with log(level, message). */
    configureLogging(levelOrLogger) {
        if (levelOrLogger && typeof levelOrLogger === 'object' && typeof levelOrLogger.log === 'function') {
            this.#logger = levelOrLogger;
            this.#logLevel = LogLevel.Trace;
        } else {
            this.#logLevel = parseLevel(levelOrLogger);
            this.#logger = null;
        }
        return this;
    }

    /** Closes the connection when the server sends nothing for this long (default 30 s). */
    withServerTimeout(milliseconds) {
        this.#serverTimeout = milliseconds;
        return this;
    }

    /** Sends a ping after this long without sending (default 15 s). */
    withKeepAliveInterval(milliseconds) {
        this.#keepAliveInterval = milliseconds;
        return this;
    }

    build() {
        if (this.#url === null) throw new Error("The 'HubConnectionBuilder.withUrl' method must be called before building the connection.");
        return new HubConnection({
            url: this.#url,
            options: this.#options,
            logLevel: this.#logLevel,
            logger: this.#logger ?? new ConsoleLogger(this.#logLevel),
            reconnect: this.#reconnect,
            serverTimeout: this.#serverTimeout,
            keepAliveInterval: this.#keepAliveInterval,
        });
    }
}

function absoluteUrl(url, skipNegotiation) {
    const base = globalThis.location?.href;
    const absolute = new URL(url, base);
    if (skipNegotiation && (absolute.protocol === 'http:' || absolute.protocol === 'https:')) {
        absolute.protocol = absolute.protocol === 'https:' ? 'wss:' : 'ws:';
    }
    return absolute.href;
}

function headerList(headers) {
    if (!headers) return [];
    const entries = typeof headers.entries === 'function' && !Array.isArray(headers) ? [...headers.entries()]
        : Object.entries(headers);
    return entries.map(([name, value]) => [String(name), String(value)]);
}

function callSafely(logger, what, fn, ...args) {
    try {
        return fn(...args);
    } catch (error) {
        logger.log(LogLevel.Error, `${what} threw: ${error?.stack || error}`);
        return undefined;
    }
}

/**
 * The result of HubConnection.stream(): subscribe to it, or iterate it with `for await`.
 * One consumer per stream; items that arrive before it attaches are kept for it.
 */
class StreamResult {
    #cancel;
    #items = [];
    #end = null; // { error } once the stream ended
    #consumer = null; // { item(value), end(error) }
    #logger;

    constructor(cancel, logger) {
        this.#cancel = cancel;
        this.#logger = logger;
    }

    /** @internal */
    _item(value) {
        if (this.#consumer) this.#consumer.item(value);
        else this.#items.push(value);
    }

    /** @internal */
    _end(error) {
        if (this.#end) return;
        this.#end = { error };
        if (this.#consumer) this.#consumer.end(error);
    }

    #attach(consumer) {
        if (this.#consumer) throw new Error('this stream already has a consumer');
        this.#consumer = consumer;
        for (const item of this.#items.splice(0)) consumer.item(item);
        if (this.#end) consumer.end(this.#end.error);
    }

    #stop() {
        this.#consumer = { item() {}, end() {} };
        if (!this.#end) {
            this.#end = { error: undefined };
            this.#cancel();
        }
    }

    /** subscriber: { next(item), error(err), complete() }. dispose() cancels the stream. */
    subscribe(subscriber) {
        let disposed = false;
        this.#attach({
            item: (value) => !disposed && subscriber.next && callSafely(this.#logger, 'a stream subscriber', subscriber.next.bind(subscriber), value),
            end: (error) => {
                if (disposed) return;
                disposed = true;
                if (error) subscriber.error && callSafely(this.#logger, 'a stream subscriber', subscriber.error.bind(subscriber), error);
                else subscriber.complete && callSafely(this.#logger, 'a stream subscriber', subscriber.complete.bind(subscriber));
            },
        });
        return {
            dispose: () => {
                if (disposed) return;
                disposed = true;
                this.#stop();
            },
        };
    }

    /** `for await (const item of connection.stream(...))`; leaving the loop early cancels the stream. */
    [Symbol.asyncIterator]() {
        const queue = [];
        let waiting = null;
        let finished = null;
        const settle = () => {
            if (!waiting) return;
            const { resolve, reject } = waiting;
            if (queue.length) {
                waiting = null;
                resolve({ value: queue.shift(), done: false });
            } else if (finished) {
                waiting = null;
                if (finished.error) reject(finished.error);
                else resolve({ value: undefined, done: true });
                finished = { error: undefined };
            }
        };
        this.#attach({
            item: (value) => { queue.push(value); settle(); },
            end: (error) => { finished = { error }; settle(); },
        });
        return {
            next: () => new Promise((resolve, reject) => {
                waiting = { resolve, reject };
                settle();
            }),
            return: async (value) => {
                queue.length = 0;
                if (!finished) {
                    finished = { error: undefined };
                    this.#stop();
                }
                return { value, done: true };
            },
            [Symbol.asyncIterator]() { return this; },
        };
    }
}

let nextCallId = 0;

/** A connection to a SignalR hub; build it with HubConnectionBuilder. */
export class HubConnection {
    #config;
    #native = null;
    #starting = false;
    #handlers = new Map(); // method -> [callback]
    #pending = new Map(); // call id -> { resolve, reject } or a StreamResult
    #closed = [];
    #reconnecting = [];
    #reconnected = [];
    #lastDispatch = null;
    #token = { value: null, error: null, refresh: null, async: false };

    /** @internal use HubConnectionBuilder */
    constructor(config) {
        this.#config = config;
    }

    /** One of HubConnectionState's values. */
    get state() {
        if (this.#native) return this.#native.state();
        return this.#starting ? HubConnectionState.Connecting : HubConnectionState.Disconnected;
    }

    /** The server's id for this connection while connected (null otherwise, and with skipNegotiation). */
    get connectionId() {
        return this.#native ? this.#native.connectionId() : null;
    }

    /** The base URL; it can only change while disconnected. */
    get baseUrl() {
        return this.#config.url;
    }

    set baseUrl(url) {
        if (this.state !== HubConnectionState.Disconnected) {
            throw new Error('The HubConnection must be in the Disconnected state to change the url.');
        }
        this.#config.url = url;
    }

    /** Connects: negotiate, WebSocket, handshake. Rejects unless the connection is Disconnected. */
    async start() {
        if (this.#native || this.#starting) {
            throw new SignalRError("Cannot start a HubConnection that is not in the 'Disconnected' state.", 'InvalidState');
        }
        this.#starting = true;
        let native;
        try {
            await this.#prefetchToken();
            const holder = { native: null };
            native = new wasm.NativeHubConnection(this.#nativeOptions(), this.#sink(holder));
            holder.native = native;
        } catch (error) {
            this.#starting = false;
            throw error instanceof SignalRError ? error : new SignalRError(String(error?.message ?? error), 'InvalidArgument');
        }
        this.#native = native;
        this.#starting = false;
        for (const method of this.#handlers.keys()) native.on(method);
        try {
            await this.#call(native, (id) => native.start(id));
        } catch (error) {
            // A failed start fires no close event: release the native connection here.
            this.#release(native);
            throw error;
        }
    }

    /** Closes the connection; pending calls reject (Cancelled). Resolves once Disconnected. */
    async stop() {
        const native = this.#native;
        if (!native) return;
        await this.#call(native, (id) => native.stop(id), 'stop');
    }

    /** Calls a hub method; resolves with its result (null for void methods). */
    invoke(methodName, ...args) {
        return this.#whenConnected((native, id) => native.invoke(id, String(methodName), args));
    }

    /** Calls a hub method without waiting for it; resolves once the message is sent. */
    send(methodName, ...args) {
        return this.#whenConnected((native, id) => native.send(id, String(methodName), args));
    }

    /** Starts a server-to-client stream. */
    stream(methodName, ...args) {
        const native = this.#native;
        const id = ++nextCallId;
        const result = new StreamResult(() => {
            if (this.#native === native && native) native.cancelStream(id);
        }, this.#config.logger);
        if (!native) {
            result._end(this.#notConnected());
            return result;
        }
        this.#pending.set(id, result);
        native.stream(id, String(methodName), args);
        return result;
    }

    /** Registers a handler for the server's calls of methodName (case-sensitive). A call that
     *  expects a result gets the handler's return value (or what its Promise resolves to). */
    on(methodName, newMethod) {
        if (!methodName || typeof newMethod !== 'function') return;
        const name = String(methodName);
        const handlers = this.#handlers.get(name);
        if (handlers) {
            if (!handlers.includes(newMethod)) handlers.push(newMethod);
            return;
        }
        this.#handlers.set(name, [newMethod]);
        this.#native?.on(name);
    }

    /** Removes one handler, or every handler of methodName. */
    off(methodName, method) {
        const name = String(methodName);
        const handlers = this.#handlers.get(name);
        if (!handlers) return;
        if (method) {
            const index = handlers.indexOf(method);
            if (index >= 0) handlers.splice(index, 1);
            if (handlers.length) return;
        }
        this.#handlers.delete(name);
        this.#native?.off(name);
    }

    /** Runs when the connection ends for good: error undefined after stop() or a clean close. */
    onclose(callback) {
        if (typeof callback === 'function') this.#closed.push(callback);
    }

    /** Runs when automatic reconnection starts, with the error that ended the connection. */
    onreconnecting(callback) {
        if (typeof callback === 'function') this.#reconnecting.push(callback);
    }

    /** Runs when automatic reconnection succeeded, with the new connection id. */
    onreconnected(callback) {
        if (typeof callback === 'function') this.#reconnected.push(callback);
    }

    #notConnected() {
        return new SignalRError("Cannot send data if the connection is not in the 'Connected' State.", 'InvalidState');
    }

    #whenConnected(operation) {
        const native = this.#native;
        if (!native) return Promise.reject(this.#notConnected());
        return this.#call(native, (id) => operation(native, id));
    }

    #call(native, operation, kind = 'call') {
        const id = ++nextCallId;
        const promise = new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject, kind }));
        operation(id);
        return promise;
    }

    // The native connection is used for one start..close cycle; everything it owns goes with it.
    #release(native) {
        if (this.#native === native) this.#native = null;
        this.#lastDispatch = null;
        // Not now: we may be inside one of its own callbacks.
        queueMicrotask(() => native.delete());
    }

    #nativeOptions() {
        const { url, options, logLevel, reconnect, serverTimeout, keepAliveInterval } = this.#config;
        const skipNegotiation = Boolean(options.skipNegotiation);
        let reconnectOption = null;
        if (reconnect?.delays) reconnectOption = reconnect.delays;
        else if (reconnect?.policy) reconnectOption = 'policy';
        return {
            url: absoluteUrl(url, skipNegotiation),
            headers: headerList(options.headers),
            skipNegotiation,
            logLevel,
            accessToken: typeof options.accessTokenFactory === 'function',
            reconnect: reconnectOption,
            serverTimeoutMs: Number(serverTimeout) || 0,
            keepAliveIntervalMs: Number(keepAliveInterval) || 0,
        };
    }

    // The C++ client asks for a token synchronously, before negotiate and before each reconnect
    // attempt. So start() calls the factory first and awaits it if it returns a Promise; with
    // such an asynchronous factory, each use of a token also fetches the next one in the
    // background, for the next attempt.
    async #prefetchToken() {
        const factory = this.#config.options.accessTokenFactory;
        if (typeof factory !== 'function') return;
        const token = { value: null, error: null, refresh: null, async: false };
        this.#token = token;
        try {
            const value = factory();
            token.async = Boolean(value && typeof value.then === 'function');
            token.value = await value;
        } catch (error) {
            token.error = error;
        }
    }

    #accessToken() {
        const factory = this.#config.options.accessTokenFactory;
        const token = this.#token;
        if (token.value !== null || token.error !== null) {
            const { value, error } = token;
            token.value = null;
            token.error = null;
            if (token.async && !token.refresh) {
                token.refresh = Promise.resolve().then(factory).then(
                    (next) => { token.value = next; },
                    (failure) => { token.error = failure; },
                ).finally(() => { token.refresh = null; });
            }
            if (error) return { error: String(error?.message ?? error) };
            return String(value ?? '');
        }
        try {
            const value = factory();
            if (value && typeof value.then === 'function') {
                return { error: 'the access token factory returned a Promise that had not resolved yet' };
            }
            return String(value ?? '');
        } catch (error) {
            return { error: String(error?.message ?? error) };
        }
    }

    #dispatch(method, args) {
        const handlers = (this.#handlers.get(method) ?? []).slice();
        const outcome = { method, results: [], error: undefined, handled: handlers.length > 0 };
        for (const handler of handlers) {
            try {
                const result = handler.apply(this, args);
                // A rejected Promise nobody awaits would surface as an unhandled rejection.
                if (result && typeof result.then === 'function') {
                    result.then(undefined, (error) => this.#config.logger.log(LogLevel.Error,
                        `A callback for the method '${method.toLowerCase()}' threw error '${error}'.`));
                }
                outcome.results.push(result);
                outcome.error = undefined;
            } catch (error) {
                outcome.error = error;
                this.#config.logger.log(LogLevel.Error, `A callback for the method '${method.toLowerCase()}' threw error '${error}'.`);
            }
        }
        // The native side asks for the result (answer) right after this, on the same stack, when
        // the call expects one. Otherwise the next dispatch replaces it (no per-message
        // microtask to clear it: a flood of messages would pay one each).
        this.#lastDispatch = outcome;
    }

    async #answer(native, responseId, method) {
        const outcome = this.#lastDispatch?.method === method ? this.#lastDispatch : null;
        this.#lastDispatch = null;
        let ok = false;
        let value = "Client didn't provide a result.";
        if (outcome?.error !== undefined) {
            value = `${outcome.error}`;
        } else if (outcome?.handled) {
            try {
                const results = (await Promise.all(outcome.results)).filter((r) => r !== undefined);
                if (results.length > 1) value = 'Client provided multiple results.';
                else if (results.length === 1) [ok, value] = [true, results[0]];
            } catch (error) {
                value = `${error}`;
            }
        }
        if (this.#native === native) native.respond(responseId, ok, value);
    }

    // What the native connection reports to; holder.native is set once it exists.
    #sink(holder) {
        const logger = this.#config.logger;
        return {
            settle: (id, ok, value) => {
                const pending = this.#pending.get(id);
                if (!pending) return;
                this.#pending.delete(id);
                if (pending instanceof StreamResult) pending._end(ok ? undefined : toError(value));
                else if (ok) pending.resolve(value === undefined ? undefined : value);
                else pending.reject(toError(value));
            },
            item: (id, value) => {
                const pending = this.#pending.get(id);
                if (pending instanceof StreamResult) pending._item(value);
            },
            dispatch: (method, args) => this.#dispatch(method, args),
            answer: (responseId, method) => { this.#answer(holder.native, responseId, method); },
            closed: (error) => {
                if (holder.native) this.#release(holder.native);
                // Nothing stays pending past the end: calls and streams have completed before the
                // close (the C++ side guarantees it), and a stop() is done once the connection is
                // closed, even if its own completion would come later (a stop during a retry delay).
                for (const [id, pending] of this.#pending) {
                    this.#pending.delete(id);
                    const lost = new SignalRError('The connection was closed.', 'ConnectionLost');
                    if (pending instanceof StreamResult) pending._end(lost);
                    else if (pending.kind === 'stop') pending.resolve();
                    else pending.reject(lost);
                }
                const reason = error ? toError(error) : undefined;
                for (const callback of this.#closed.slice()) callSafely(logger, 'an onclose callback', callback, reason);
            },
            reconnecting: (error) => {
                const reason = error ? toError(error) : undefined;
                for (const callback of this.#reconnecting.slice()) callSafely(logger, 'an onreconnecting callback', callback, reason);
            },
            reconnected: (connectionId) => {
                for (const callback of this.#reconnected.slice()) callSafely(logger, 'an onreconnected callback', callback, connectionId ?? undefined);
            },
            nextRetryDelay: (previousRetryCount, elapsedMilliseconds, message, code) => {
                const delay = callSafely(logger, 'the retry policy', () => this.#config.reconnect.policy.nextRetryDelayInMilliseconds({
                    previousRetryCount,
                    elapsedMilliseconds,
                    retryReason: new SignalRError(message, code),
                }));
                return typeof delay === 'number' && delay >= 0 && Number.isFinite(delay) ? delay : null;
            },
            accessToken: () => this.#accessToken(),
            log: (level, message) => {
                try {
                    logger.log(level, message);
                } catch {
                    // A logger that throws loses its line; it must not break the connection.
                }
            },
        };
    }
}

/** Heap figures of the shared wasm module (for leak checks): malloc'd bytes, wasm memory
 *  size, and the number of JavaScript values the C++ side holds handles to. */
export function getHeapStats() {
    const stats = wasm.heapStats();
    return { ...stats, handles: wasm.count_emval_handles() };
}
