// A small in-page test harness for the browser tests. A page registers tests with test() and
// calls run(); each result goes to tests/browser/run.mjs (through a function it exposes) and
// into the page itself, so a page opened by hand in a browser shows its results too.
//
//   import { test, run, assertEqual } from '/browser-tests/harness.js';
//   test('adds', async () => { assertEqual(await connection.invoke('Add', 1, 2), 3); });
//   await run();
//
// Tests run one after another, each bounded by its timeout (default 10 s). Waiting for an event
// is done with promises (deferred(), within()), never with sleeps. An exception or rejection
// nobody handled while a test runs fails that test.

const tests = [];
const afterEachHooks = [];
let current = null;

/** Registers a test. options.timeout in ms; options.skip: a reason to skip it. */
export function test(name, fn, options = {}) {
    tests.push({ name, fn, timeout: options.timeout ?? 10000, skip: options.skip });
}

/** Runs `fn` after each test (passed or failed), e.g. to close what the test opened. */
export function afterEach(fn) {
    afterEachHooks.push(fn);
}

export class AssertionError extends Error {}

export function assert(condition, message = 'assertion failed') {
    if (!condition) throw new AssertionError(message);
}

/** Deep, exact equality: BigInt is not number, Uint8Array compares bytes, -0 is not 0. */
export function deepEqual(a, b) {
    if (Object.is(a, b)) return true;
    if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
    if (a instanceof Uint8Array || b instanceof Uint8Array) {
        return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length &&
            a.every((byte, i) => byte === b[i]);
    }
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (Array.isArray(a)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}

/** A readable form of any value, BigInt and Uint8Array included. */
export function show(value) {
    if (typeof value === 'bigint') return `${value}n`;
    if (value instanceof Uint8Array) return `Uint8Array[${Array.from(value).join(',')}]`;
    if (value === undefined) return 'undefined';
    if (Object.is(value, -0)) return '-0';
    if (Array.isArray(value)) return `[${value.map(show).join(',')}]`;
    if (value && typeof value === 'object') {
        const proto = Object.getPrototypeOf(value);
        const name = proto && proto !== Object.prototype ? `${proto.constructor?.name ?? '?'} ` : '';
        return `${name}{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${show(v)}`).join(',')}}`;
    }
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function assertEqual(actual, expected, message = '') {
    if (!deepEqual(actual, expected)) {
        throw new AssertionError(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
    }
}

/** Awaits `promise`, which must reject; returns the rejection. `expected` (a RegExp or a string)
 *  must match its message exactly (string) or partly (RegExp). */
export async function assertRejects(promise, expected, message = '') {
    let value;
    try {
        value = await promise;
    } catch (error) {
        assert(error instanceof Error, `${message}rejected with a non-Error: ${show(error)}`);
        if (typeof expected === 'string') assertEqual(error.message, expected, `${message}error message`);
        else if (expected) assert(expected.test(error.message), `${message}error message ${JSON.stringify(error.message)} does not match ${expected}`);
        return error;
    }
    throw new AssertionError(`${message}expected a rejection, got ${show(value)}`);
}

/** A promise with its resolve/reject outside. */
export function deferred() {
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
}

/** `promise`, or a rejection saying what did not happen within `ms`. */
export function within(promise, ms, what = 'the event') {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new AssertionError(`${what} did not happen within ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Collects values and lets a test wait until `count` have arrived. */
export class Collector {
    constructor() {
        this.items = [];
        this.waiters = [];
    }
    push = (item) => {
        this.items.push(item);
        this.waiters = this.waiters.filter(({ count, resolve }) => {
            if (this.items.length < count) return true;
            resolve(this.items.slice());
            return false;
        });
    };
    /** Resolves with the items once there are at least `count`; rejects after `ms`. */
    waitFor(count, ms = 5000, what = `${count} items`) {
        if (this.items.length >= count) return Promise.resolve(this.items.slice());
        const waiter = deferred();
        this.waiters.push({ count, resolve: waiter.resolve });
        return within(waiter.promise, ms, `${what} (have ${this.items.length}: ${show(this.items.slice(-3))})`);
    }
}

/** The test hub, through the runner: its base URL, and kill/restart for reconnect tests. */
export const hub = {
    available: typeof window.__signalrTestHub === 'function',
    baseUrl: location.origin,
    /** SIGKILL the hub process (a crash). */
    kill: () => window.__signalrTestHub('kill'),
    /** Start it again on the same port. */
    restart: () => window.__signalrTestHub('restart'),
};

function report(event) {
    if (typeof window.__signalrTestReport === 'function') window.__signalrTestReport(event);
    else console.log(JSON.stringify(event));
    const list = document.getElementById('results') || document.body.appendChild(Object.assign(
        document.createElement('ul'), { id: 'results' }));
    if (event.type === 'done') return;
    const item = document.createElement('li');
    item.textContent = `${event.type} ${event.name}${event.ms !== undefined ? ` (${event.ms} ms)` : ''}` +
        `${event.message ? `: ${event.message}` : ''}`;
    item.className = event.type;
    list.appendChild(item);
}

function onStray(error) {
    if (current) current.stray.push(error);
    else console.error(`uncaught outside a test: ${error?.stack || error}`);
}
window.addEventListener('error', (event) => onStray(event.error || event.message));
window.addEventListener('unhandledrejection', (event) => onStray(event.reason));

/** Runs the registered tests (those matching ?filter=REGEX) in order, then reports 'done'. */
export async function run() {
    const filter = new URLSearchParams(location.search).get('filter');
    const pattern = filter ? new RegExp(filter) : null;
    const summary = { passed: 0, failed: 0 };
    for (const t of tests) {
        if (pattern && !pattern.test(t.name)) continue;
        if (t.skip) {
            report({ type: 'skip', name: t.name, message: t.skip });
            continue;
        }
        current = { stray: [] };
        const start = performance.now();
        let failure = null;
        try {
            await within(Promise.resolve().then(t.fn), t.timeout, `the test's end`);
        } catch (error) {
            failure = error;
        }
        for (const hook of afterEachHooks) {
            try {
                await within(Promise.resolve().then(hook), 10000, 'afterEach');
            } catch (error) {
                failure ??= error;
            }
        }
        // The browser reports an unhandled rejection in a task of its own after the rejection:
        // give it two turns of the event loop to land on this test rather than the next.
        for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
        if (!failure && current.stray.length) failure = current.stray[0];
        current = null;
        const ms = Math.round(performance.now() - start);
        if (failure) {
            summary.failed++;
            let text = show(failure);
            if (failure instanceof AssertionError) text = failure.message;
            else if (failure instanceof Error) {
                text = failure.stack?.includes(failure.message) ? failure.stack
                    : `${failure.name}: ${failure.message}\n${failure.stack ?? ''}`;
            }
            report({ type: 'fail', name: t.name, ms, message: text });
        } else {
            summary.passed++;
            report({ type: 'pass', name: t.name, ms });
        }
    }
    report({ type: 'done', ...summary });
    return summary;
}
