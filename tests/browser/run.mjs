#!/usr/bin/env node
// Runs one browser test page in Debian's headless Chromium against a fresh test hub, and exits
// with the page's verdict (for ctest).
//
//   node run.mjs --hub-dll build/x/hub/TestHub.dll --page /browser-tests/selftest.html
//                [--serve /prefix=dir]... [--timeout 120] [--filter REGEX] [--verbose]
//
// The hub serves this directory's www/ at /browser-tests plus each --serve directory, so the page,
// the module under test and the hubs share one origin. The page uses www/harness.js: it reports
// each test through a function this runner exposes, and may kill or restart the hub through
// another one (reconnect tests). The last line is "N passed, N failed". Exit status: 0 when every
// test passed (and there was at least one), 1 when one failed, 2 when the run itself failed
// (hub or browser did not start, the page never finished within --timeout, the page crashed).
//
// Environment: SIGNALR_TEST_HUB_DLL (default for --hub-dll), SIGNALR_CHROMIUM (default
// /usr/bin/chromium), SIGNALR_DOTNET (the dotnet host).
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HubProcess } from './hub.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

function usage(message) {
    console.error(`run.mjs: ${message}\nusage: node run.mjs --hub-dll DLL --page /path.html [--serve /prefix=dir]... [--timeout S] [--filter RE] [--verbose]`);
    process.exit(2);
}

let options;
try {
    ({ values: options } = parseArgs({
        options: {
            'hub-dll': { type: 'string', default: process.env.SIGNALR_TEST_HUB_DLL },
            page: { type: 'string' },
            serve: { type: 'string', multiple: true, default: [] },
            timeout: { type: 'string', default: '120' },
            filter: { type: 'string' },
            verbose: { type: 'boolean', default: false },
        },
    }));
} catch (error) {
    usage(error.message);
}
if (!options['hub-dll']) usage('--hub-dll (or SIGNALR_TEST_HUB_DLL) is required');
if (!options.page?.startsWith('/')) usage('--page must be a path on the hub, e.g. /browser-tests/selftest.html');
const timeoutMs = Number(options.timeout) * 1000;
if (!(timeoutMs > 0)) usage('--timeout must be a positive number of seconds');
const chromiumPath = process.env.SIGNALR_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(chromiumPath)) usage(`no browser at ${chromiumPath}: run \`bash scripts/setup.sh --browser\``);

let playwright;
try {
    playwright = await import('playwright-core');
} catch {
    usage('playwright-core is not installed: run `bash scripts/setup.sh --browser`');
}

const staticDirs = [`/browser-tests=${join(here, 'www')}`, ...options.serve.map((entry) => {
    const eq = entry.indexOf('=');
    return entry.startsWith('/') && eq > 0 ? `${entry.slice(0, eq)}=${resolve(entry.slice(eq + 1))}` : resolve(entry);
})];
const hub = new HubProcess({
    dll: resolve(options['hub-dll']),
    staticDirs,
    onOutput: (line) => options.verbose && console.log(`[hub] ${line}`),
});

const results = { passed: 0, failed: 0, failures: [] };
let finish; // resolves with the run's outcome: 'done', or an Error
const outcome = new Promise((resolveOutcome) => { finish = resolveOutcome; });

function report(event) {
    switch (event?.type) {
    case 'pass':
        results.passed++;
        console.log(`ok   ${event.name} (${event.ms} ms)`);
        break;
    case 'fail':
        results.failed++;
        results.failures.push(event.name);
        console.log(`FAIL ${event.name} (${event.ms} ms)\n     ${String(event.message).replace(/\n/g, '\n     ')}`);
        break;
    case 'skip':
        console.log(`skip ${event.name}: ${event.message}`);
        break;
    case 'done':
        finish('done');
        break;
    default:
        console.log(`run.mjs: unknown report ${JSON.stringify(event)}`);
    }
}

// What a page may ask of the runner. Reconnect tests take the hub down and bring it back.
async function control(action) {
    switch (action) {
    case 'baseUrl': return hub.baseUrl;
    case 'kill': await hub.kill(); return hub.baseUrl;
    case 'stop': await hub.stop(); return hub.baseUrl;
    case 'start':
    case 'restart': await hub.restart(); return hub.baseUrl;
    default: throw new Error(`unknown hub action ${action}`);
    }
}

const profile = mkdtempSync(join(tmpdir(), 'signalr-browser-'));
let context;
let status = 2;
const cleanup = async () => {
    await context?.close().catch(() => {});
    await hub.kill();
    rmSync(profile, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => { cleanup().finally(() => process.exit(2)); });
}

try {
    await hub.start();
    context = await playwright.chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
            '--disable-sync', '--no-first-run'],
    });
    await context.exposeFunction('__signalrTestReport', report);
    await context.exposeFunction('__signalrTestHub', control);
    const page = context.pages()[0] || await context.newPage();
    page.on('console', (message) => console.log(`[page ${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => console.log(`[page uncaught] ${error.stack || error.message}`));
    page.on('crash', () => finish(new Error('the page crashed')));
    page.on('requestfailed', (request) => {
        // Aborted WebSockets are expected in reconnect tests; missing files are not.
        if (request.resourceType() !== 'websocket') {
            console.log(`[page request failed] ${request.url()}: ${request.failure()?.errorText}`);
        }
    });
    page.on('response', (response) => {
        if (response.status() === 404) console.log(`[page 404] ${response.url()}`);
    });

    const url = new URL(options.page, hub.baseUrl);
    if (options.filter) url.searchParams.set('filter', options.filter);
    console.log(`run.mjs: ${url} (hub and browser up after ${elapsed()})`);
    const timer = setTimeout(() => finish(new Error(`the page did not finish within ${options.timeout} s`)), timeoutMs);
    await page.goto(url.href);
    const result = await outcome;
    clearTimeout(timer);
    if (result instanceof Error) throw result;
    status = results.failed > 0 || results.passed === 0 ? 1 : 0;
    if (results.passed + results.failed === 0) console.log('run.mjs: the page ran no test');
} catch (error) {
    console.log(`run.mjs: error: ${error.stack || error.message}`);
    if (!options.verbose && hub.output.length) console.log(`[hub output]\n${hub.output.slice(-40).join('\n')}`);
    status = 2;
} finally {
    await cleanup();
}
for (const name of results.failures) console.log(`failed: ${name}`);
console.log(`run.mjs: ${options.page} took ${elapsed()}`);
console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(status);
