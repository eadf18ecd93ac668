#!/usr/bin/env python3
"""Runs every benchmark peer against one bench hub and prints one table (bench/README.md).

Usually started by bench/run.sh, which builds everything first. Peers: ours (signalr-bench),
node (@microsoft/signalr), dotnet (Microsoft.AspNetCore.SignalR.Client), floor (raw
libwebsockets echo), browser (headless Chromium: our wasm package and @microsoft/signalr in one
page; its @microsoft/signalr figures are the column browser-js). Writes the table as JSON to
--out (default bench/results/).
"""
import argparse
import datetime
import glob
import gzip
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# Scenario sizes: full mode gives the figures, short mode only proves the harness (CI).
FULL = {
    "reps": 5,
    "e1": {"warmup": 500, "count": 5000},
    "e2": {"total": 30000, "outstanding": [1, 10, 100]},
    "e3": {"count": 200000, "payload": 16},
    "e4": {"count": 200000},
    "e5": {"warmup": 3, "count": 30},
    "e6": {"connections": 1000},
    "e7": {"target": 10000, "seconds": 150},
    "p1_iterations": 200000,
    "p1_callgrind_iterations": 2000,
    "p2_counts": [1000, 3000],
    "w2a": {"warmup": 500, "count": 5000},
    "w2b": {"warmup": 1000, "count": 100000, "payload": 16},
}
SHORT = {
    "reps": 2,
    "e1": {"warmup": 50, "count": 300},
    "e2": {"total": 1000, "outstanding": [1, 10, 100]},
    "e3": {"count": 5000, "payload": 16},
    "e4": {"count": 5000},
    "e5": {"warmup": 1, "count": 3},
    "e6": {"connections": 100},
    "e7": {"target": 300, "seconds": 30},
    "p1_iterations": 2000,
    "p1_callgrind_iterations": 100,
    "p2_counts": [100, 300],
    "w2a": {"warmup": 50, "count": 300},
    "w2b": {"warmup": 200, "count": 5000, "payload": 16},
}

PEERS = ["ours", "node", "dotnet", "floor", "browser"]
MSJS_BROWSER = os.path.join(HERE, "node", "node_modules", "@microsoft", "signalr", "dist", "browser")
DOTNET_ENV = {"DOTNET_CLI_TELEMETRY_OPTOUT": "1", "DOTNET_NOLOGO": "1",
              "DOTNET_SKIP_FIRST_TIME_EXPERIENCE": "1", "DOTNET_GENERATE_ASPNET_CERTIFICATE": "false"}


def log(text):
    print(f"driver: {text}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    def __init__(self, dll, static_dirs=None):
        self.port = free_port()
        env = dict(os.environ, **DOTNET_ENV)
        self.log = tempfile.TemporaryFile()
        cmd = ["dotnet", dll, "--urls", f"http://127.0.0.1:{self.port}"]
        if static_dirs:
            cmd.append("--StaticDirs=" + ";".join(f"{k}={v}" for k, v in static_dirs.items()))
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the bench hub exited: {self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the bench hub did not start within 60 s")

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self):
        if self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_json(cmd, timeout, env=None):
    started = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))
    if proc.returncode != 0:
        raise RuntimeError(f"{os.path.basename(cmd[0])} {cmd[1] if len(cmd) > 1 else ''} exited "
                           f"{proc.returncode}: {proc.stderr.strip()[-2000:]}")
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if not lines:
        raise RuntimeError(f"no JSON from {cmd[0]}: {proc.stdout[-500:]} {proc.stderr[-500:]}")
    result = json.loads(lines[-1])
    result["_seconds"] = round(time.time() - started, 2)
    return result


class Peers:
    def __init__(self, args, hub):
        self.args = args
        self.hub = hub
        self.url = f"http://127.0.0.1:{hub.port}/bench"
        self.ws_url = f"ws://127.0.0.1:{hub.port}/ws-echo"

    def command(self, peer, spec):
        text = json.dumps(spec)
        if peer == "ours":
            return [self.args.bench, "client", text]
        if peer == "floor":
            return [self.args.floor, text]
        if peer == "node":
            return ["node", os.path.join(HERE, "node", "peer.mjs"), text]
        if peer == "dotnet":
            return ["dotnet", self.args.dotnet_peer, text]
        if peer == "browser":
            return ["node", os.path.join(HERE, "browser", "peer.mjs"), text]
        raise ValueError(peer)

    def run(self, peer, spec, timeout=900):
        spec = dict(spec, url=self.ws_url if peer == "floor" else self.url)
        env = DOTNET_ENV if peer == "dotnet" else None
        return run_json(self.command(peer, spec), timeout, env)


def callgrind_total(path):
    total = None
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                total = int(line.split()[1])
    return total


def callgrind(cmd, workdir, name):
    out = os.path.join(workdir, name)
    full = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + cmd
    proc = subprocess.run(full, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"callgrind {name}: exit {proc.returncode}: {proc.stderr[-1500:]}")
    return out, proc.stdout


def measure_p1(args, sizes, workdir):
    result = run_json([args.bench, "codec", str(sizes["p1_iterations"])], 600)["p1"]
    if shutil.which("valgrind"):
        out, _ = callgrind([args.bench, "codec", str(sizes["p1_callgrind_iterations"])], workdir, "p1.cg")
        n = sizes["p1_callgrind_iterations"]
        for dump in glob.glob(out + ".*"):
            with open(dump, errors="replace") as f:
                text = f.read()
            m = re.search(r"^desc: Trigger: Client Request: (\S+):(\w+)$", text, re.M)
            s = re.search(r"^summary: (\d+)$", text, re.M)
            if m and s and m.group(1) in result:
                result[m.group(1)][f"{m.group(2)}_instr"] = int(s.group(1)) / n
    return result


def measure_p2(peers, sizes, workdir):
    if not shutil.which("valgrind"):
        return {"error": "valgrind is not installed"}
    result = {}
    a, b = sizes["p2_counts"]
    for peer in ("ours", "floor"):
        totals = []
        for count in (a, b):
            spec = {"mode": "p2", "p2": {"count": count},
                    "url": peers.ws_url if peer == "floor" else peers.url}
            out, _ = callgrind(peers.command(peer, spec), workdir, f"p2-{peer}-{count}.cg")
            totals.append(callgrind_total(out))
        result[peer] = (totals[1] - totals[0]) / (b - a)
    return result


def file_sizes(paths):
    """Total raw and gzip (level 9, as cmake/report_size.cmake) bytes of the files."""
    raw = packed = 0
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        raw += len(data)
        packed += len(gzip.compress(data, 9, mtime=0))
    return raw, packed


def measure_w1(args):
    """W1: the connect + invoke + on app (signalr_wasm_size_app) and our JS package, against
    @microsoft/signalr's minified browser bundle."""
    result = {}
    if args.wasm_size_app:
        app = args.wasm_size_app
        result["app_raw"], result["app_gzip"] = file_sizes([os.path.splitext(app)[0] + ".wasm", app])
    if args.wasm_package:
        pkg = args.wasm_package
        result["package_raw"], result["package_gzip"] = file_sizes(
            [os.path.join(pkg, "dist", "signalr-wasm.wasm"), os.path.join(pkg, "dist", "signalr-wasm.mjs"),
             os.path.join(pkg, "index.js")])
    msjs = os.path.join(MSJS_BROWSER, "signalr.min.js")
    if result and os.path.exists(msjs):
        result["msjs_raw"], result["msjs_gzip"] = file_sizes([msjs])
    return result


# Metrics of the table: (key, label, unit, better, peers that report it, how to read it).
def metric_rows():
    rows = [("e1_p50", "E1 invoke latency p50", "us", "lower", ("ours", "node", "dotnet", "floor"),
             lambda r: r["e1"]["p50_us"]),
            ("e1_p99", "E1 invoke latency p99", "us", "lower", ("ours", "node", "dotnet", "floor"),
             lambda r: r["e1"]["p99_us"])]
    for k in ("1", "10", "100"):
        rows.append((f"e2_{k}", f"E2 invokes/s, {k} outstanding", "1/s", "higher",
                     ("ours", "node", "dotnet", "floor"), lambda r, k=k: r["e2"][k]["per_s"]))
        rows.append((f"e2_{k}_cpu", f"E2 client CPU s per 1000, {k} outstanding", "s", "lower",
                     ("ours", "node", "dotnet", "floor"), lambda r, k=k: r["e2"][k]["cpu_s_per_1000"]))
    rows += [("e3", "E3 server->client msgs/s", "1/s", "higher", ("ours", "node", "dotnet"),
              lambda r: r["e3"]["per_s"]),
             ("e3_cpu", "E3 client CPU s per 1000 msgs", "s", "lower", ("ours", "node", "dotnet"),
              lambda r: r["e3"]["cpu_s_per_1000"]),
             ("e4", "E4 stream items/s", "1/s", "higher", ("ours", "node", "dotnet"),
              lambda r: r["e4"]["per_s"]),
             ("e4_cpu", "E4 client CPU s per 1000 items", "s", "lower", ("ours", "node", "dotnet"),
              lambda r: r["e4"]["cpu_s_per_1000"]),
             ("e5", "E5 connect time (median)", "ms", "lower", ("ours", "node", "dotnet"),
              lambda r: r["e5"]["median_ms"])]
    # W2: the browser peer reports both clients of its page; ours is the wasm package there.
    for key, label, unit, better, field in (
            ("w2a_p50", "W2a browser invoke latency p50 (wasm)", "us", "lower", ("w2a", "p50_us")),
            ("w2a_p99", "W2a browser invoke latency p99 (wasm)", "us", "lower", ("w2a", "p99_us")),
            ("w2a_mean", "W2a browser invoke latency mean (wasm)", "us", "lower", ("w2a", "mean_us")),
            ("w2b", "W2b browser server->client msgs/s (wasm)", "1/s", "higher", ("w2b", "per_s"))):
        rows.append((key, label, unit, better, ("ours", "browser-js"),
                     lambda r, f=field: r[f[0]][f[1]]))
    return rows


def rep_views(rep):
    """The per-peer results of one repetition, with the browser page split into its two clients."""
    views = {k: v for k, v in rep.items() if k != "browser"}
    if "browser" in rep:
        views["ours@browser"] = rep["browser"].get("ours")
        views["browser-js"] = rep["browser"].get("js")
    return views


def summarize(reps, once, p1, p2, peers_run, sizes_w1=None):
    """One row per metric: our median, each peer's median, and the median of per-rep ratios."""
    table = []
    views = [rep_views(rep) for rep in reps]
    for key, label, unit, better, who, get in metric_rows():
        row = {"metric": key, "label": label, "unit": unit, "better": better, "values": {}, "ratios": {}}
        per_peer = {}
        browser_row = "browser-js" in who
        for peer in who:
            run_as = "browser" if browser_row else peer
            if run_as not in peers_run:
                continue
            source = "ours@browser" if browser_row and peer == "ours" else peer
            vals = []
            for rep in views:
                try:
                    vals.append(get(rep[source]))
                except (KeyError, TypeError):
                    vals.append(None)
            per_peer[peer] = vals
            good = [v for v in vals if v is not None]
            if good:
                row["values"][peer] = statistics.median(good)
        for peer, vals in per_peer.items():
            if peer == "ours" or "ours" not in per_peer:
                continue
            pairs = [o / p for o, p in zip(per_peer["ours"], vals) if o is not None and p]
            if pairs:
                row["ratios"][peer] = statistics.median(pairs)
        table.append(row)

    def add(key, label, unit, better, values):
        row = {"metric": key, "label": label, "unit": unit, "better": better,
               "values": {k: v for k, v in values.items() if v is not None}, "ratios": {}}
        ours = row["values"].get("ours")
        if isinstance(ours, (int, float)):
            for peer, v in row["values"].items():
                if peer != "ours" and isinstance(v, (int, float)) and v:
                    row["ratios"][peer] = row["values"]["ours"] / v
        table.append(row)

    for field, label, unit, better in (
            ("rss_kb_per_conn", "E6 RSS per idle connection", "KB", "lower"),
            ("threads_per_conn", "E6 threads per idle connection", "", "lower"),
            ("fds_per_conn", "E6 fds per idle connection", "", "lower")):
        add(f"e6_{field}", label, unit, better,
            {p: once.get(p, {}).get("e6", {}).get(field) for p in ("ours", "node", "dotnet")})
    add("e7", "E7 max connections in one process", "", "higher",
        {p: once.get(p, {}).get("e7", {}).get("connections") for p in ("ours", "node", "dotnet")})
    if p2:
        add("p2", "P2 client instructions per invoke", "instr", "lower",
            {"ours": p2.get("ours"), "floor": p2.get("floor")})
    ours_p3 = [rep["ours"].get("p3", {}) for rep in reps if "ours" in rep and "p3" in rep["ours"]]
    for field, label, unit in (("invoke_allocs", "P3 allocations per invoke (operator new)", ""),
                               ("invoke_bytes", "P3 bytes allocated per invoke", "B"),
                               ("invoke_mallocs", "P3 mallocs per invoke (incl. lws)", ""),
                               ("received_allocs", "P3 allocations per received message", ""),
                               ("received_bytes", "P3 bytes allocated per received message", "B"),
                               ("item_allocs", "P3 allocations per stream item", ""),
                               ("item_bytes", "P3 bytes allocated per stream item", "B")):
        vals = [p[field] for p in ours_p3 if field in p]
        if vals:
            add(f"p3_{field}", label, unit, "lower", {"ours": statistics.median(vals)})
    for field, label in (("app_gzip", "W1 wasm app (.wasm + glue) gzip"),
                         ("app_raw", "W1 wasm app (.wasm + glue) raw"),
                         ("package_gzip", "W1 JS package (.wasm + glue + index.js) gzip"),
                         ("package_raw", "W1 JS package (.wasm + glue + index.js) raw")):
        if (sizes_w1 or {}).get(field) is not None:
            peer_field = "msjs_gzip" if field.endswith("gzip") else "msjs_raw"
            add(f"w1_{field}", label, "B", "lower",
                {"ours": sizes_w1[field], "browser-js": sizes_w1.get(peer_field)})
    for name, m in (p1 or {}).items():
        if not isinstance(m, dict):
            continue
        if "decode_instr" in m:
            add(f"p1_{name}_decode_instr", f"P1 decode instr, {name}", "instr", "lower",
                {"ours": m["decode_instr"], "simdjson": m.get("simdjson_instr")})
            add(f"p1_{name}_encode_instr", f"P1 encode instr, {name}", "instr", "lower",
                {"ours": m["encode_instr"]})
        add(f"p1_{name}_decode_ns", f"P1 decode ns, {name}", "ns", "lower",
            {"ours": m["decode_ns"], "simdjson": m["simdjson_ns"]})
        if "decode_vs_simdjson" in m:
            # Timed interleaved with simdjson: the median of the per-burst ratios.
            table[-1]["ratios"]["simdjson"] = m["decode_vs_simdjson"]
        add(f"p1_{name}_encode_ns", f"P1 encode ns, {name}", "ns", "lower", {"ours": m["encode_ns"]})
        add(f"p1_{name}_allocs", f"P1 allocs decode/encode, {name}", "", "lower",
            {"ours": m["decode_allocs"] + m["encode_allocs"]})
    return [row for row in table if row["values"]]


def fmt_value(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    if abs(v) >= 0.01:
        return f"{v:.3g}"
    return f"{v:.2e}"


def render(table, columns):
    head = ["metric", "better"] + columns + [f"ours/{c}" for c in columns if c != "ours"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in table:
        cells = [f"{row['label']}" + (f" ({row['unit']})" if row["unit"] else ""), row["better"]]
        cells += [fmt_value(row["values"].get(c)) for c in columns]
        cells += [(f"{row['ratios'][c]:.2f}" if c in row["ratios"] else "-") for c in columns if c != "ours"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem_kb = 0
    with open("/proc/meminfo") as f:
        mem_kb = int(next(l for l in f if l.startswith("MemTotal")).split()[1])
    return f"{os.cpu_count()} x {cpu}, {mem_kb // 1024 // 1024} GiB, {platform.system()} {platform.release()}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--short", action="store_true", help="small counts: proves the harness (CI)")
    ap.add_argument("--bench", help="signalr-bench binary (peer ours, P1, P2)")
    ap.add_argument("--floor", help="lws-echo-floor binary (peer floor)")
    ap.add_argument("--hub", required=True, help="BenchHub.dll")
    ap.add_argument("--dotnet-peer", help="BenchClient.dll (built here when missing)")
    ap.add_argument("--wasm-package", help="our JS package folder (signalr_js_package): peer browser")
    ap.add_argument("--wasm-size-app", help="signalr_wasm_size_app.js (W1; the .wasm beside it)")
    ap.add_argument("--peers", help="comma-separated subset of " + ",".join(PEERS) +
                    " (default: all whose inputs were given)")
    ap.add_argument("--reps", type=int, help="repetitions of the timed scenarios")
    ap.add_argument("--out", default=os.path.join(HERE, "results"), help="directory for the JSON")
    args = ap.parse_args()
    sizes = SHORT if args.short else FULL
    reps_n = args.reps or sizes["reps"]
    if args.peers:
        peers_run = [p for p in args.peers.split(",") if p]
    else:
        given = {"ours": args.bench, "floor": args.floor, "browser": args.wasm_package, "node": True, "dotnet": True}
        peers_run = [p for p in PEERS if given[p]]

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    workdir = tempfile.mkdtemp(prefix="signalr-bench-")
    errors = []

    if "dotnet" in peers_run and not args.dotnet_peer:
        args.dotnet_peer = os.path.join(workdir, "dotnet-peer", "BenchClient.dll")
        log("building the .NET peer")
        proc = subprocess.run(["dotnet", "build", os.path.join(HERE, "dotnet", "BenchClient.csproj"), "-c",
                               "Release", "-o", os.path.dirname(args.dotnet_peer), "--nologo", "-v", "quiet",
                               f"-p:BaseIntermediateOutputPath={workdir}/dotnet-obj/",
                               f"-p:BaseOutputPath={workdir}/dotnet-bin/"],
                              capture_output=True, text=True, env=dict(os.environ, **DOTNET_ENV), timeout=600)
        if proc.returncode != 0:
            errors.append(f"dotnet peer build failed: {proc.stdout[-1500:]}")
            peers_run.remove("dotnet")
    if "node" in peers_run and not os.path.isdir(os.path.join(HERE, "node", "node_modules", "@microsoft")):
        errors.append("node peer: bench/node/node_modules is missing (bash scripts/setup.sh --bench)")
        peers_run.remove("node")
    for peer, given, what in (("ours", args.bench, "--bench"), ("floor", args.floor, "--floor"),
                              ("browser", args.wasm_package, "--wasm-package")):
        if peer in peers_run and not given:
            errors.append(f"{peer} peer: no {what}")
            peers_run.remove(peer)
    static_dirs = None
    if "browser" in peers_run:
        if not os.path.isdir(MSJS_BROWSER):
            errors.append("browser peer: bench/node/node_modules is missing (bash scripts/setup.sh --bench)")
            peers_run.remove("browser")
        else:
            static_dirs = {"/bench-page": os.path.join(HERE, "browser", "www"),
                           "/signalr": os.path.abspath(args.wasm_package), "/msjs": MSJS_BROWSER}

    w1 = measure_w1(args)
    hub = Hub(args.hub, static_dirs)
    log(f"bench hub on port {hub.port}; peers {peers_run}; {reps_n} repetitions")
    reps, once, p1, p2 = [], {}, None, None
    try:
        peers = Peers(args, hub)
        spec = {k: sizes[k] for k in ("e1", "e2", "e3", "e4", "e5")}
        spec["mode"] = "throughput"
        for r in range(reps_n):
            rep = {}
            # Rotate the order so no peer always runs first (or right after the same neighbour).
            order = peers_run[r % len(peers_run):] + peers_run[:r % len(peers_run)]
            for peer in order:
                try:
                    if peer == "browser":
                        # The page runs both clients; which goes first alternates too.
                        clients = ["ours", "js"] if r % 2 == 0 else ["js", "ours"]
                        rep[peer] = peers.run(peer, {"w2a": sizes["w2a"], "w2b": sizes["w2b"], "order": clients})
                    else:
                        rep[peer] = peers.run(peer, spec)
                    log(f"rep {r + 1}/{reps_n} {peer}: {rep[peer]['_seconds']} s")
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    errors.append(f"rep {r + 1} {peer}: {e}")
                    log(errors[-1])
            reps.append(rep)
        try:
            if args.bench:
                p1 = measure_p1(args, sizes, workdir)
                log("P1 done")
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            errors.append(f"P1: {e}")
        if "ours" in peers_run and "floor" in peers_run:
            try:
                p2 = measure_p2(peers, sizes, workdir)
                log("P2 done")
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                errors.append(f"P2: {e}")
        # Thousands of connections leave the hub busy (and its descriptors taken) for a while
        # after the peer exits: each peer's E6 and E7 get a hub of their own.
        hub.stop()
        for peer in [p for p in peers_run if p not in ("floor", "browser")]:
            once[peer] = {}
            for mode in ("idle", "max"):
                key = "e6" if mode == "idle" else "e7"
                hub = Hub(args.hub)
                peers = Peers(args, hub)
                try:
                    once[peer].update(peers.run(peer, {"mode": mode, key: sizes[key]}))
                    log(f"{key} {peer}: done")
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    if key == "e7" and peer != "ours":
                        # A peer that dies on the way to 10,000 connections is a result.
                        reason = str(e).strip().splitlines()[-1][-80:]
                        once[peer]["e7"] = {"connections": f"died: {reason}"}
                        log(f"e7 {peer}: {reason}")
                    else:
                        errors.append(f"{key} {peer}: {e}")
                        log(errors[-1])
                finally:
                    hub.stop()
    finally:
        hub.stop()  # idempotent

    table = summarize(reps, once, p1, p2, peers_run, w1)
    columns = [c for c in ["ours", "node", "dotnet", "floor", "browser-js", "simdjson"]
               if any(c in row["values"] for row in table)]
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = (f"signalr-cpp benchmarks, {'short' if args.short else 'full'} mode, {when}\n"
              f"machine: {machine()}\nrepetitions: {reps_n} (timings: median of per-repetition ratios)")
    print(header)
    print(render(table, columns))
    for e in errors:
        print(f"ERROR: {e}")
    os.makedirs(args.out, exist_ok=True)
    document = {"date": when, "mode": "short" if args.short else "full", "machine": machine(),
                "repetitions": reps_n, "table": table, "raw": {"reps": reps, "once": once, "p1": p1, "p2": p2, "w1": w1},
                "errors": errors}
    name = os.path.join(args.out, f"{'short' if args.short else 'full'}-latest.json")
    with open(name, "w") as f:
        json.dump(document, f, indent=1)
    log(f"wrote {name}")
    shutil.rmtree(workdir, ignore_errors=True)
    if errors:
        print(f"bench: 0 passed, 1 failed ({len(errors)} errors)")
        return 1
    print("bench: 1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
