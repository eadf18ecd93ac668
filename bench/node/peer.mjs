// The @microsoft/signalr (Node) peer of the benchmarks: runs the scenarios that bench/driver.py
// names and prints one JSON object. Definitions of every figure: bench/README.md.
//
//   node peer.mjs '<scenario JSON>'
import * as signalR from "@microsoft/signalr";
import { readdirSync, readFileSync } from "node:fs";

const spec = JSON.parse(process.argv[2]);

function build() {
  return new signalR.HubConnectionBuilder()
    .withUrl(spec.url, { transport: signalR.HttpTransportType.WebSockets })
    .configureLogging(signalR.LogLevel.None)
    .build();
}

const nowNs = () => process.hrtime.bigint();
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function procStatus(field) {
  const line = readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith(field + ":"));
  return parseInt(line.split(/\s+/)[1], 10);
}
const openFds = () => readdirSync("/proc/self/fd").length;

async function e1(conn, p) {
  for (let i = 0; i < p.warmup; i++) await conn.invoke("Echo", "x");
  const samples = [];
  for (let i = 0; i < p.count; i++) {
    const t0 = nowNs();
    await conn.invoke("Echo", "x");
    samples.push(Number(nowNs() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { p50_us: percentile(samples, 50), p99_us: percentile(samples, 99) };
}

async function pipelined(conn, total, outstanding) {
  let sent = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const cpu0 = cpuSeconds();
    const t0 = nowNs();
    const next = () => {
      sent++;
      conn.invoke("Echo", "x").then(() => {
        done++;
        if (sent < total) next();
        else if (done === total) {
          const seconds = Number(nowNs() - t0) / 1e9;
          resolve({ per_s: total / seconds, cpu_s_per_1000: ((cpuSeconds() - cpu0) * 1000) / total });
        }
      }, reject);
    };
    for (let i = 0; i < Math.min(outstanding, total); i++) next();
  });
}

async function e2(conn, p) {
  const out = {};
  for (const k of p.outstanding) {
    await pipelined(conn, Math.min(p.total, 1000), k);
    out[k] = await pipelined(conn, p.total, k);
  }
  return out;
}

async function e3(conn, p) {
  const payload = "x".repeat(p.payload);
  let received = 0;
  conn.on("Flood", () => {
    received++;
  });
  await conn.invoke("Flood", 1000, payload);
  received = 0;
  const cpu0 = cpuSeconds();
  const t0 = nowNs();
  const n = await conn.invoke("Flood", p.count, payload);
  const seconds = Number(nowNs() - t0) / 1e9;
  const cpu = cpuSeconds() - cpu0;
  conn.off("Flood");
  if (received !== p.count || n !== p.count) throw new Error(`Flood: ${received} of ${p.count} arrived`);
  return { per_s: p.count / seconds, cpu_s_per_1000: (cpu * 1000) / p.count };
}

function streamOnce(conn, count) {
  return new Promise((resolve, reject) => {
    let items = 0;
    conn.stream("Counter", count).subscribe({
      next: () => items++,
      error: reject,
      complete: () => (items === count ? resolve() : reject(new Error(`Counter: ${items} of ${count}`))),
    });
  });
}

async function e4(conn, p) {
  await streamOnce(conn, 1000);
  const cpu0 = cpuSeconds();
  const t0 = nowNs();
  await streamOnce(conn, p.count);
  const seconds = Number(nowNs() - t0) / 1e9;
  return { per_s: p.count / seconds, cpu_s_per_1000: ((cpuSeconds() - cpu0) * 1000) / p.count };
}

async function e5(p) {
  const samples = [];
  for (let i = 0; i < p.warmup + p.count; i++) {
    const conn = build();
    const t0 = nowNs();
    await conn.start();
    const ms = Number(nowNs() - t0) / 1e6;
    await conn.stop();
    if (i >= p.warmup) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return { median_ms: percentile(samples, 50) };
}

async function openMany(count, batch, deadline) {
  const conns = [];
  let error = null;
  while (conns.length < count && !error && Date.now() < deadline) {
    const wave = [];
    for (let i = 0; i < Math.min(batch, count - conns.length); i++) wave.push(build());
    const results = await Promise.allSettled(wave.map((c) => c.start()));
    results.forEach((r, i) => {
      if (r.status === "fulfilled") conns.push(wave[i]);
      else error = error || String(r.reason);
    });
  }
  return { conns, error };
}

async function idle(p) {
  const first = build();
  await first.start();
  await first.invoke("Echo", "x");
  global.gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const rss0 = procStatus("VmRSS");
  const threads0 = procStatus("Threads");
  const fds0 = openFds();
  const { conns, error } = await openMany(p.connections, 100, Date.now() + 120000);
  if (error) throw new Error(error);
  global.gc?.();
  await new Promise((r) => setTimeout(r, 1000));
  const n = conns.length;
  return {
    connections: n,
    rss_kb_per_conn: (procStatus("VmRSS") - rss0) / n,
    threads_per_conn: (procStatus("Threads") - threads0) / n,
    fds_per_conn: (openFds() - fds0) / n,
  };
}

async function most(p) {
  const { conns, error } = await openMany(p.target, 200, Date.now() + p.seconds * 1000);
  return { connections: conns.length, error: error || undefined };
}

async function main() {
  const result = {};
  if (spec.mode === "throughput") {
    const conn = build();
    await conn.start();
    result.e1 = await e1(conn, spec.e1);
    result.e2 = await e2(conn, spec.e2);
    result.e3 = await e3(conn, spec.e3);
    result.e4 = await e4(conn, spec.e4);
    await conn.stop();
    result.e5 = await e5(spec.e5);
  } else if (spec.mode === "idle") {
    result.e6 = await idle(spec.e6);
  } else if (spec.mode === "max") {
    result.e7 = await most(spec.e7);
  } else {
    throw new Error(`unknown mode ${spec.mode}`);
  }
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`node peer: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
