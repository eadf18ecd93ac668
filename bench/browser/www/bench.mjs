// W2 (bench/README.md): invoke latency and receive rate of our wasm package and of
// @microsoft/signalr, both loaded in this page and connected to the hub that served it. The
// scenarios are one function run on either library: the two APIs are the same.
// peer.mjs passes the sizes in (window.__benchSpec) and takes the result (window.__benchDone).
import * as ours from '/signalr/index.js';

const libraries = { ours, js: window.signalR };
const hubUrl = `${location.origin}/bench`;
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function connect(lib) {
    const connection = new lib.HubConnectionBuilder()
        .withUrl(hubUrl, { transport: lib.HttpTransportType.WebSockets })
        .configureLogging(lib.LogLevel.None)
        .build();
    await connection.start();
    return connection;
}

// spec.breakdown: where W2a's time goes. Every WebSocket's send() and message events are timed
// (both clients use the page's WebSocket), splitting each call into invoke -> send() (client,
// outgoing; call_us of it until invoke() returned its Promise), send() itself, send() returned
// -> message event (browser, network and hub) and message event -> await resumed (client,
// incoming). Off for the figures: the wrappers cost time themselves.
const marks = { send: 0, sent: 0, message: 0 };
function traceWebSockets() {
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
        marks.send = performance.now();
        send.call(this, data);
        marks.sent = performance.now();
    };
    const property = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
    Object.defineProperty(WebSocket.prototype, 'onmessage', {
        get() { return property.get.call(this); },
        set(handler) {
            property.set.call(this, handler && function (event) {
                marks.message = performance.now();
                return handler.call(this, event);
            });
        },
    });
}

// W2a: Echo("x") with one outstanding; each call timed on its own.
async function latency(connection, p, breakdown) {
    for (let i = 0; i < p.warmup; i++) await connection.invoke('Echo', 'x');
    const samples = new Float64Array(p.count);
    const parts = { call_us: 0, outgoing_us: 0, send_us: 0, wire_us: 0, incoming_us: 0 };
    const t0 = performance.now();
    for (let i = 0; i < p.count; i++) {
        const start = performance.now();
        const call = connection.invoke('Echo', 'x');
        const returned = performance.now();
        await call;
        const end = performance.now();
        samples[i] = (end - start) * 1000;
        if (breakdown) {
            parts.call_us += returned - start;
            parts.outgoing_us += marks.send - start;
            parts.send_us += marks.sent - marks.send;
            parts.wire_us += marks.message - marks.sent;
            parts.incoming_us += end - marks.message;
        }
    }
    const total = performance.now() - t0;
    samples.sort();
    const result = { p50_us: percentile(samples, 50), p99_us: percentile(samples, 99), mean_us: (total * 1000) / p.count };
    if (breakdown) {
        for (const key of Object.keys(parts)) result[key] = (parts[key] * 1000) / p.count;
    }
    return result;
}

// W2b: Flood(n, payload): from the invoke until its completion has arrived and the handler ran n times.
async function receive(connection, p) {
    const payload = 'x'.repeat(p.payload);
    let received = 0;
    connection.on('Flood', () => { received++; });
    await connection.invoke('Flood', p.warmup, payload);
    received = 0;
    const t0 = performance.now();
    const n = await connection.invoke('Flood', p.count, payload);
    const seconds = (performance.now() - t0) / 1000;
    connection.off('Flood');
    if (received !== p.count || n !== p.count) throw new Error(`Flood: ${received} of ${p.count} arrived`);
    return { per_s: p.count / seconds };
}

async function main() {
    const spec = await window.__benchSpec();
    if (spec.breakdown) traceWebSockets();
    const order = spec.order ?? ['ours', 'js'];
    const connections = {};
    for (const name of order) connections[name] = await connect(libraries[name]);
    const result = { crossOriginIsolated: self.crossOriginIsolated, ours: {}, js: {} };
    // Interleaved: both clients run W2a, then both run W2b, in the order given (peer.mjs rotates it).
    if (spec.w2a) for (const name of order) result[name].w2a = await latency(connections[name], spec.w2a, spec.breakdown);
    if (spec.w2b) for (const name of order) result[name].w2b = await receive(connections[name], spec.w2b);
    for (const name of order) await connections[name].stop();
    return result;
}

main().then((result) => window.__benchDone({ result }), (error) => window.__benchDone({ error: String(error?.stack ?? error) }));
