// Shared by the bindings-js pages: the package under test and connections that clean up after
// themselves. The package is served at /signalr (the build's bindings-js/package folder) unless
// the page says otherwise with ?module=URL (the packed-and-installed copy).
const moduleUrl = new URLSearchParams(location.search).get('module') || '/signalr/index.js';
export const signalr = await import(moduleUrl);
export const { HubConnectionBuilder, HubConnectionState, LogLevel, SignalRError } = signalr;

export const hubUrl = (path = '/hub') => `${location.origin}${path}`;

const open = new Set();

/** A connection to `path` on the test hub, not started; stopAll() stops it unless `keep`. */
export function build(path = '/hub', configure = (builder) => builder, { keep = false } = {}) {
    const connection = configure(new HubConnectionBuilder().withUrl(hubUrl(path)).configureLogging(LogLevel.Error)).build();
    if (!keep) open.add(connection);
    return connection;
}

/** A started connection to `path`. */
export async function connect(path = '/hub', configure = undefined, options = {}) {
    const connection = build(path, configure, options);
    await connection.start();
    return connection;
}

/** Stops every connection the test made (a failing test must not leak into the next). */
export async function stopAll() {
    const connections = [...open];
    open.clear();
    await Promise.all(connections.map((c) => c.stop().catch(() => {})));
}

/** Standard Base64 of bytes, and back (how JSON carries .NET byte[]). */
export const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
export const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
