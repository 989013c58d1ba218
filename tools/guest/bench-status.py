#!/usr/bin/env python3
"""Status over the guest's sg node, TapeChanger beside mtx in one run (tools/kernel-tier.sh with KT_BENCH=N).

Runs inside the QEMU guest, chrooted into the host's file system:
    bench-status.py RUNS SG_NODE TAPECHANGER [--hello HELLO] [--floor STATUS_FLOOR --floor-ranges R1,R2,...]
Each round runs `mtx -f SG status`, `tapechanger --device sg:SG status` and `... status --json` once, interleaved so
that any drift of the emulated machine's speed falls on all three alike. One unmeasured round first: it fills
TapeChanger's kept identity and element map (a warm status, as an ops script or a backup program sees it) and the
page cache. For each command it prints the median wall time and the median CPU time (user + system, from wait4) as
    @@KT-BENCH <row>\t<tool>\t<milliseconds>
Every run must exit 0 and write output; a failed run stops the benchmark (exit 1) instead of timing an error path.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(argv):
    """Runs argv once; returns (exit status, stdout, stderr, wall seconds, CPU seconds of the child)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)     # the child's own rusage, microsecond fields
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0); err.seek(0)
        return proc.returncode, out.read(), err.read(), wall, usage.ru_utime + usage.ru_stime


def main():
    runs, sg, cli = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    options = dict(zip(sys.argv[4::2], sys.argv[5::2]))
    hello, floor = options.get("--hello"), options.get("--floor")
    mtx = "/usr/sbin/mtx" if os.path.exists("/usr/sbin/mtx") else "mtx"
    commands = [
        ("status over sg:, kernel tier, 2,000 slots", "mtx", [mtx, "-f", sg, "status"]),
        ("status over sg:, kernel tier, 2,000 slots", "tapechanger", [cli, "--device", "sg:" + sg, "status"]),
        ("status --json over sg:, kernel tier, 2,000 slots", "tapechanger",
         [cli, "--device", "sg:" + sg, "status", "--json"]),
        ("status --json over sg:, kernel tier, 2,000 slots", "mtx", [mtx, "-f", sg, "status"]),
        # mtx 1.3.12 prints its version on stderr and exits 1
        ("--version, kernel tier", "mtx", [mtx, "--version"]),
        ("--version, kernel tier", "tapechanger", [cli, "--version"]),
    ]
    if hello:   # the NativeAOT hello world tools/bench.sh builds: the start-up floor on the emulated machine
        commands.append(("--version, kernel tier", "floor", [hello]))
    if floor:   # tools/status-floor: the same SG_IO exchange as a warm status, no decoding, no listing
        ranges = options["--floor-ranges"].split(",")
        for row in ("status over sg:, kernel tier, 2,000 slots", "status --json over sg:, kernel tier, 2,000 slots"):
            commands.append((row, "floor", [floor, "sg:" + sg] + ranges))
    wall = {i: [] for i in range(len(commands))}
    cpu = {i: [] for i in range(len(commands))}
    for round_no in range(runs + 1):
        for i, (_, tool, argv) in enumerate(commands):
            rc, out, err, seconds, cpu_seconds = run_once(argv)
            mtx_version = tool == "mtx" and argv[1:] == ["--version"]
            if rc not in ((0, 1) if mtx_version else (0,)) or not (err if mtx_version else out):
                sys.stdout.write(f"@@KT-BENCH-FAIL {tool} exited {rc}: {err.decode(errors='replace').strip()}\n")
                return 1
            if round_no == 0:
                continue
            wall[i].append(seconds * 1000)
            cpu[i].append(cpu_seconds * 1000)
    for i, (row, tool, _) in enumerate(commands):
        print(f"@@KT-BENCH {row} (ms)\t{tool}\t{statistics.median(wall[i]):.2f}")
        print(f"@@KT-BENCH {row} (CPU ms)\t{tool}\t{statistics.median(cpu[i]):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
