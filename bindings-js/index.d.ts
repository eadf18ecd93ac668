// Types of signalr-cpp's browser package (index.js). The API follows @microsoft/signalr.

/** Log levels, with the numbers of @microsoft/signalr's LogLevel. */
export declare const LogLevel: {
    readonly Trace: 0;
    readonly Debug: 1;
    readonly Information: 2;
    readonly Warning: 3;
    readonly Error: 4;
    readonly Critical: 5;
    readonly None: 6;
};
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** Level names accepted by configureLogging (case-insensitive). */
export type LogLevelName = 'trace' | 'debug' | 'info' | 'information' | 'warn' | 'warning' | 'error' | 'critical' | 'none';

/** Receives every log line when passed to configureLogging. */
export interface ILogger {
    log(logLevel: LogLevel, message: string): void;
}

export declare const HubConnectionState: {
    readonly Disconnected: 'Disconnected';
    readonly Connecting: 'Connecting';
    readonly Connected: 'Connected';
    readonly Disconnecting: 'Disconnecting';
    readonly Reconnecting: 'Reconnecting';
};
export type HubConnectionState = (typeof HubConnectionState)[keyof typeof HubConnectionState];

/** Only WebSockets is available; the others are rejected by withUrl. */
export declare const HttpTransportType: {
    readonly None: 0;
    readonly WebSockets: 1;
    readonly ServerSentEvents: 2;
    readonly LongPolling: 4;
};
export type HttpTransportType = (typeof HttpTransportType)[keyof typeof HttpTransportType];

/** The C++ library's error codes. */
export type ErrorCode =
    | 'InvalidArgument' | 'InvalidState' | 'NegotiateFailed' | 'Unauthorized' | 'TransportFailed'
    | 'HandshakeFailed' | 'Timeout' | 'ConnectionLost' | 'ServerClosed' | 'ProtocolError' | 'HubError'
    | 'TypeMismatch' | 'Cancelled' | 'Internal' | 'NotConnected' | 'Dropped';

/** Every rejection and error callback carries one. For hub errors `message` is the server's text. */
export declare class SignalRError extends Error {
    constructor(message: string, code?: ErrorCode, serverMessage?: string);
    readonly name: 'SignalRError';
    readonly code: ErrorCode;
    /** The server's own text when the error came from the server, '' otherwise. */
    readonly serverMessage: string;
}

/**
 * What travels as a hub argument, result or stream item. Numbers beyond 2^53 arrive as BigInt;
 * BigInt is sent as a 64-bit integer. Uint8Array (and ArrayBuffer) is sent as .NET byte[] (with the
 * JSON protocol a byte[] result arrives as its Base64 string). Object members that are undefined
 * or functions are left out, and toJSON() is honoured, as with JSON.stringify.
 */
export type HubValue =
    | null
    | boolean
    | number
    | bigint
    | string
    | Uint8Array
    | HubValue[]
    | { [key: string]: HubValue | undefined };

export interface IHttpConnectionOptions {
    /** Called before negotiate and before each reconnect attempt. A Promise is awaited before start(). */
    accessTokenFactory?: () => string | Promise<string>;
    /** Connect the WebSocket directly (an http(s) URL is turned into ws(s)). */
    skipNegotiation?: boolean;
    /** Sent with negotiate (browsers cannot add headers to the WebSocket upgrade). */
    headers?: Record<string, string>;
    /** Only WebSockets. */
    transport?: HttpTransportType;
}

export interface RetryContext {
    readonly previousRetryCount: number;
    readonly elapsedMilliseconds: number;
    readonly retryReason: Error;
}

export interface IRetryPolicy {
    /** The delay before the next attempt, or null to stop reconnecting. */
    nextRetryDelayInMilliseconds(retryContext: RetryContext): number | null;
}

export interface IStreamSubscriber<T> {
    closed?: boolean;
    next(value: T): void;
    error(err: any): void;
    complete(): void;
}

export interface ISubscription<T> {
    /** Cancels the stream (the server is told to stop). */
    dispose(): void;
}

/** A server-to-client stream: subscribe once, or iterate it once with `for await`. */
export interface IStreamResult<T> extends AsyncIterable<T> {
    subscribe(subscriber: IStreamSubscriber<T>): ISubscription<T>;
}

export declare class HubConnectionBuilder {
    withUrl(url: string, options?: IHttpConnectionOptions | HttpTransportType): this;
    /** Default delays 0, 2000, 10000, 30000 ms; or your own delays; or a policy. */
    withAutomaticReconnect(retryDelays?: number[] | IRetryPolicy): this;
    configureLogging(logging: LogLevel | LogLevelName | ILogger): this;
    withServerTimeout(milliseconds: number): this;
    withKeepAliveInterval(milliseconds: number): this;
    build(): HubConnection;
}

export declare class HubConnection {
    private constructor();
    readonly state: HubConnectionState;
    readonly connectionId: string | null;
    baseUrl: string;

    start(): Promise<void>;
    /** Rejects pending calls and ends streams (Cancelled); releases all native memory of the connection. */
    stop(): Promise<void>;
    invoke<T = any>(methodName: string, ...args: any[]): Promise<T>;
    send(methodName: string, ...args: any[]): Promise<void>;
    stream<T = any>(methodName: string, ...args: any[]): IStreamResult<T>;

    /** Method names are case-sensitive. The return value answers calls that expect a result. */
    on(methodName: string, newMethod: (...args: any[]) => any): void;
    off(methodName: string): void;
    off(methodName: string, method: (...args: any[]) => any): void;

    onclose(callback: (error?: Error) => void): void;
    onreconnecting(callback: (error?: Error) => void): void;
    onreconnected(callback: (connectionId?: string) => void): void;
}

/** Heap figures of the wasm module, for leak checks. */
export declare function getHeapStats(): {
    /** Bytes allocated by malloc right now. */
    allocatedBytes: number;
    /** Size of the wasm memory. */
    memoryBytes: number;
    /** JavaScript values held by the C++ side. */
    handles: number;
};
