#!/usr/bin/env node
// The npm package as a web project gets it: `npm pack` of the assembled package, the tarball
// installed into a scratch project, and a plain <script type="module"> page of that project that
// imports it from node_modules and talks to the hub (in Chromium, through run.mjs).
//
//   node pack_test.mjs --package DIR --hub-dll DLL
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values: options } = parseArgs({
    options: { package: { type: 'string' }, 'hub-dll': { type: 'string', default: process.env.SIGNALR_TEST_HUB_DLL } },
});
if (!options.package || !options['hub-dll']) {
    console.error('usage: node pack_test.mjs --package DIR --hub-dll DLL');
    process.exit(2);
}

const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

const work = mkdtempSync(join(tmpdir(), 'signalr-pack-'));
let status = 2;
try {
    // 1. The tarball, and what is in it.
    const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], resolve(options.package)));
    const files = packed[0].files.map((f) => f.path).sort();
    const tarball = join(work, packed[0].filename);
    console.log(`npm pack: ${packed[0].filename}, ${packed[0].size} bytes packed, ${packed[0].unpackedSize} unpacked: ${files.join(', ')}`);
    const expected = ['README.md', 'dist/signalr-wasm.mjs', 'dist/signalr-wasm.wasm', 'index.d.ts', 'index.js', 'package.json'];
    if (JSON.stringify(files) !== JSON.stringify(expected)) {
        console.log(`FAIL the tarball holds ${JSON.stringify(files)}, expected ${JSON.stringify(expected)}`);
        process.exitCode = 1;
        throw new Error('unexpected package contents');
    }

    // 2. A scratch web project installs it (a local tarball with no dependencies: no registry).
    const project = join(work, 'app');
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }, null, 2));
    npm(['install', '--offline', tarball], project);
    const installed = join(project, 'node_modules', 'signalr-cpp');
    if (!existsSync(join(installed, 'dist', 'signalr-wasm.wasm'))) throw new Error('the install has no .wasm');
    console.log(`installed into ${project}/node_modules: ${readdirSync(installed).join(', ')}`);

    // 3. A plain page of that project imports it by path, as a no-bundler web app would.
    writeFileSync(join(project, 'index.html'), `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>scratch app</title></head>
<body><script type="module">
import { test, run, assertEqual } from '/browser-tests/harness.js';
import { HubConnectionBuilder, HubConnectionState, LogLevel } from './node_modules/signalr-cpp/index.js';

test('the installed package connects, invokes and streams', async () => {
    const connection = new HubConnectionBuilder().withUrl('/hub').configureLogging(LogLevel.Warning).build();
    await connection.start();
    assertEqual(connection.state, HubConnectionState.Connected);
    assertEqual(await connection.invoke('Echo', { big: 9007199254740993n, list: [1, 'two', null] }),
        { big: 9007199254740993n, list: [1, 'two', null] });
    const items = [];
    for await (const item of connection.stream('Counter', 3, 0)) items.push(item);
    assertEqual(items, [0, 1, 2]);
    await connection.stop();
    assertEqual(connection.state, HubConnectionState.Disconnected);
});
await run();
</script></body></html>
`);
    const run = spawnSync(process.execPath, [join(here, 'run.mjs'), '--hub-dll', options['hub-dll'],
        '--serve', `/app=${project}`, '--page', '/app/index.html', '--timeout', '60'], { stdio: 'inherit' });
    status = run.status ?? 2;
} catch (error) {
    console.log(`pack_test.mjs: ${error.message}`);
    if (process.exitCode === 1) status = 1;
} finally {
    rmSync(work, { recursive: true, force: true });
}
process.exit(status);
