#!/usr/bin/env python3
"""Where P3's allocations come from: groups the trace that signalr-bench writes with
SIGNALR_BENCH_ALLOC_TRACE=<file> by call stack and names the frames with addr2line.

    cmake -S . -B build/bench-g -G Ninja -DCMAKE_BUILD_TYPE=Release \\
        -DCMAKE_CXX_FLAGS_RELEASE="-O3 -DNDEBUG -g" -DSIGNALR_BUILD_BENCH=ON \\
        -DSIGNALR_BUILD_TESTS=OFF -DSIGNALR_BUILD_EXAMPLES=OFF
    cmake --build build/bench-g --target signalr_bench
    SIGNALR_BENCH_ALLOC_TRACE=/tmp/allocs.trace build/bench-g/bench/native/signalr-bench \\
        client '{"mode":"throughput","url":"http://127.0.0.1:<port>/bench"}'
    python3 bench/alloc_sites.py /tmp/allocs.trace [--frames 14]

For each window (invoke, received, item) it prints each distinct stack with its allocations per
unit (per invoke, per message, per item) and sizes, most frequent first. The allocator's own
frames and the C library's are left out.
"""
import argparse
import collections
import subprocess

SKIP = ("alloc_counter.cpp", "new_allocator.h", "allocator.h", "alloc_traits.h", "new_op.cc")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("trace")
    ap.add_argument("--frames", type=int, default=14, help="frames of each stack that tell sites apart")
    ap.add_argument("--min", type=float, default=0.001, help="hide sites below this many per unit")
    args = ap.parse_args()

    windows = collections.OrderedDict()  # name -> [units, Counter(stack), sizes]
    current = None
    with open(args.trace, errors="replace") as f:
        for line in f:
            fields = line.split()
            if not fields:
                continue
            if fields[0] == "window":
                current = windows.setdefault(fields[1], [0, collections.Counter(),
                                                          collections.defaultdict(set)])
                current[0] += int(fields[2])
                continue
            if current is None:
                continue
            stack = tuple(f for f in fields[1:] if "libc.so" not in f)[:args.frames]
            current[1][stack] += 1
            current[2][stack].add(int(fields[0]))

    names = {}

    def name(frame):
        if frame not in names:
            module, offset = frame.rsplit("+", 1)
            out = subprocess.run(["addr2line", "-f", "-C", "-i", "-e", module, "0x" + offset],
                                 capture_output=True, text=True).stdout.strip().split("\n")
            names[frame] = [f"{out[i][:150]}  ({out[i + 1].rsplit('/', 1)[-1]})"
                            for i in range(0, len(out) - 1, 2)]
        return names[frame]

    for window, (units, stacks, sizes) in windows.items():
        total = sum(stacks.values())
        print(f"== {window}: {total / max(units, 1):.3f} allocations per unit ({total} over {units})")
        for stack, count in stacks.most_common():
            per = count / max(units, 1)
            if per < args.min:
                continue
            shown = sorted(sizes[stack])
            print(f"-- {per:.3f} per unit, sizes {shown[:6]}{' ...' if len(shown) > 6 else ''}")
            for frame in stack:
                for text in name(frame):
                    if not any(s in text for s in SKIP):
                        print(f"     {text}")


if __name__ == "__main__":
    main()
