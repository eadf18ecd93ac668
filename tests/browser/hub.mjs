// Runs the ASP.NET Core test hub (tests/hub) as a child process for the browser tests: the Node
// counterpart of tests/support/hub_process.hpp. The hub also serves the pages and build outputs
// the tests load (its StaticDirs option), so every request of a test page goes to one origin.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const READY = /Now listening on: http:\/\/127\.0\.0\.1:(\d+)/;

/** A free loopback port (the kernel's pick; the hub binds it a moment later). */
function freePort() {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

export class HubProcess {
    /**
     * @param {object} options
     * @param {string} options.dll        TestHub.dll
     * @param {string} [options.dotnet]   the dotnet host (default: SIGNALR_DOTNET or `dotnet`)
     * @param {string[]} [options.staticDirs]  `/prefix=dir` entries (see tests/hub/README.md)
     * @param {(line: string) => void} [options.onOutput]  each line the hub prints
     */
    constructor({ dll, dotnet, staticDirs = [], onOutput }) {
        this.dll = dll;
        this.dotnet = dotnet || process.env.SIGNALR_DOTNET || 'dotnet';
        this.staticDirs = staticDirs;
        this.onOutput = onOutput || (() => {});
        this.port = 0;
        this.child = null;
        this.output = [];
    }

    get baseUrl() {
        return `http://127.0.0.1:${this.port}`;
    }

    /** Starts the hub and resolves once it answers HTTP; a fixed port in use is retried. */
    async start(timeoutMs = 30000) {
        const deadline = Date.now() + timeoutMs;
        let lastError;
        while (Date.now() < deadline) {
            const port = this.port || (await freePort());
            try {
                await this.#launch(port, deadline);
                this.port = port;
                await this.#waitForHttp(deadline);
                return;
            } catch (error) {
                lastError = error;
                await this.kill();
                if (!error.retry) break;
                // A port picked by us may have been taken in between: pick another one. A fixed port
                // (restart) is still held by the old process's sockets for a moment: wait on it.
                if (!this.port) continue;
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
        }
        throw new Error(`the test hub did not start: ${lastError?.message}\n${this.output.slice(-40).join('\n')}`);
    }

    /** SIGKILL (a server crash) and wait until the process is gone. */
    async kill() {
        const child = this.child;
        this.child = null;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
    }

    /** SIGTERM (a graceful shutdown), SIGKILL after 10 s. */
    async stop() {
        const child = this.child;
        this.child = null;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
        await exited;
        clearTimeout(timer);
    }

    /** Kills the running hub and starts a new one on the same port. */
    async restart(timeoutMs = 30000) {
        await this.kill();
        await this.start(timeoutMs);
    }

    #launch(port, deadline) {
        const args = [this.dll, '--urls', `http://127.0.0.1:${port}`];
        if (this.staticDirs.length) args.push(`--StaticDirs=${this.staticDirs.join(';')}`);
        const env = { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1',
            ASPNETCORE_ENVIRONMENT: 'Development' };
        for (const name of Object.keys(env)) {
            if (name === 'ASPNETCORE_URLS' || /^(ASPNETCORE|DOTNET)_(HTTP_|HTTPS_)?PORTS$/.test(name)) delete env[name];
        }
        // setpriv makes the kernel kill the hub when this process dies, even by SIGKILL (ctest's
        // timeout), so no hub outlives its test.
        const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', this.dotnet, ...args],
            { env, stdio: ['ignore', 'pipe', 'pipe'] });
        this.child = child;
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => fail(new Error('timed out waiting for "Now listening on"')),
                Math.max(0, deadline - Date.now()));
            const fail = (error) => { clearTimeout(timer); reject(error); };
            const onLine = (line) => {
                this.output.push(line);
                if (this.output.length > 400) this.output.splice(0, 200);
                this.onOutput(line);
                if (READY.test(line)) { clearTimeout(timer); resolve(); }
                if (/address already in use/i.test(line)) fail(Object.assign(new Error(line), { retry: true }));
            };
            for (const stream of [child.stdout, child.stderr]) {
                let pending = '';
                stream.setEncoding('utf8');
                stream.on('data', (chunk) => {
                    pending += chunk;
                    const lines = pending.split('\n');
                    pending = lines.pop();
                    lines.forEach(onLine);
                });
            }
            child.once('error', fail);
            child.once('exit', (code, signal) => fail(Object.assign(
                new Error(`the hub exited (${signal || `status ${code}`})`), { retry: false })));
        });
    }

    async #waitForHttp(deadline) {
        while (Date.now() < deadline) {
            try {
                const response = await fetch(`${this.baseUrl}/echo-headers`, { signal: AbortSignal.timeout(2000) });
                if (response.ok) return;
            } catch {
                // not accepting yet
            }
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error('the hub printed its address but did not answer HTTP');
    }
}
