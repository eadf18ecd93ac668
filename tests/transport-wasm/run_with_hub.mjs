// Starts the test hub on a free loopback port, runs a command with the hub's base URL as its
// last argument, stops the hub and exits with the command's status.
//   node run_with_hub.mjs --hub-dll TestHub.dll -- node --experimental-websocket test.js
import { spawn } from 'node:child_process';
import { HubProcess } from '../browser/hub.mjs';

const separator = process.argv.indexOf('--');
const dllIndex = process.argv.indexOf('--hub-dll');
if (separator < 0 || dllIndex < 0 || dllIndex + 1 >= separator) {
    console.error('usage: node run_with_hub.mjs --hub-dll DLL -- COMMAND [ARG...]');
    process.exit(2);
}
const hub = new HubProcess({ dll: process.argv[dllIndex + 1] });
const [command, ...args] = process.argv.slice(separator + 1);
try {
    await hub.start();
} catch (error) {
    console.error(`run_with_hub.mjs: ${error.message}`);
    process.exit(2);
}
const child = spawn(command, [...args, hub.baseUrl], { stdio: 'inherit' });
const status = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ? 2 : code)));
await hub.stop();
process.exit(status);
