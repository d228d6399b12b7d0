#!/usr/bin/env python3
"""The machine's raw durable-write latency, the floor under any one-connection durable PUT.

Usage: scripts/fsync-probe.py [--preallocated] DIR SECONDS

Appends a 100-byte record to a fresh file in DIR and calls fdatasync after each one, as a journal
with one writer and no batching would, for SECONDS (at most 100,000 syncs), then prints one line:

    syncs_per_second p50_ms p99_ms count

DIR should be on the filesystem the stores write to (scripts/bench.sh passes target/bench). The file
is not preallocated: it grows with each record, so each fdatasync also carries the file's new
size, as appends to a journal, an AOF or a WAL that is not preallocated do. With --preallocated the
file is first filled with zeros and synced, and the records overwrite it from the start: each
fdatasync then carries data only, as in a journal that preallocates its segments (scripts/bench-cost.sh
compares the two). The file is removed at the end.
"""
import os
import sys
import tempfile
import time


def main():
    args = sys.argv[1:]
    preallocated = args[:1] == ["--preallocated"]
    args = args[1:] if preallocated else args
    if len(args) != 2:
        sys.exit(__doc__)
    directory, seconds = args[0], float(args[1].rstrip("s"))
    record = b"x" * 99 + b"\n"
    fd, path = tempfile.mkstemp(prefix="fsync-probe-", dir=directory)
    latencies = []
    try:
        if preallocated:  # room for the most records the loop below writes
            zeros = bytes(1 << 20)
            for _ in range(100_000 * len(record) // len(zeros) + 1):
                os.write(fd, zeros)
            os.fsync(fd)
            os.lseek(fd, 0, os.SEEK_SET)
        end = time.perf_counter() + seconds
        started = time.perf_counter()
        while time.perf_counter() < end and len(latencies) < 100_000:
            t0 = time.perf_counter_ns()
            os.write(fd, record)
            os.fdatasync(fd)
            latencies.append(time.perf_counter_ns() - t0)
        elapsed = time.perf_counter() - started
    finally:
        os.close(fd)
        os.unlink(path)
    latencies.sort()

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] / 1e6

    print(f"{len(latencies) / elapsed:.1f} {percentile(50):.3f} {percentile(99):.3f} {len(latencies)}")


if __name__ == "__main__":
    main()
