// The browser peer of the benchmarks (W2, bench/README.md): opens bench/browser/www in Debian's
// headless Chromium, from the bench hub that serves it (driver.py starts the hub with
// --StaticDirs for /bench-page, /signalr (our package) and /msjs (@microsoft/signalr's browser
// build)), and prints the page's figures for both clients as one JSON object.
//
//   node peer.mjs '{"url":"http://127.0.0.1:PORT/bench","w2a":{...},"w2b":{...},"order":["ours","js"]}'
//
// playwright-core comes from tests/browser/node_modules (`bash scripts/setup.sh --browser`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const spec = JSON.parse(process.argv[2]);
const require = createRequire(join(here, '..', '..', 'tests', 'browser', 'package.json'));
const { chromium } = require('playwright-core');

const userDataDir = mkdtempSync(join(tmpdir(), 'signalr-bench-browser-'));
let context;
let status = 1;
try {
    context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: process.env.SIGNALR_CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
            '--disable-sync', '--no-first-run'],
    });
    let done;
    const finished = new Promise((resolve) => { done = resolve; });
    await context.exposeFunction('__benchSpec', () => spec);
    await context.exposeFunction('__benchDone', (outcome) => done(outcome));
    const page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (error) => done({ error: `uncaught: ${error.stack || error.message}` }));
    page.on('crash', () => done({ error: 'the page crashed' }));
    page.on('console', (message) => {
        if (message.type() === 'error') console.error(`[page] ${message.text()}`);
    });
    page.on('response', (response) => {
        if (response.status() >= 400) done({ error: `${response.status()} for ${response.url()}` });
    });
    const timer = setTimeout(() => done({ error: `no result within ${spec.timeout_s ?? 300} s` }),
        (spec.timeout_s ?? 300) * 1000);
    // spec.profile = a file name: a CPU profile of the page (Chrome DevTools' .cpuprofile
    // format) for finding where the time goes; not used by the driver.
    const cdp = spec.profile ? await context.newCDPSession(page) : null;
    if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
        await cdp.send('Profiler.start');
    }
    await page.goto(new URL('/bench-page/index.html', spec.url).href);
    const outcome = await finished;
    clearTimeout(timer);
    if (cdp) writeFileSync(spec.profile, JSON.stringify((await cdp.send('Profiler.stop')).profile));
    if (outcome.error) {
        console.error(`peer.mjs: ${outcome.error}`);
    } else {
        outcome.result.userAgent = await page.evaluate(() => navigator.userAgent);
        console.log(JSON.stringify(outcome.result));
        status = 0;
    }
} catch (error) {
    console.error(`peer.mjs: ${error.stack || error.message}`);
} finally {
    await context?.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(status);
