#!/usr/bin/env bash
# TapeChanger beside Debian's mtx 1.3.12, in one run, one table. Needs root (tgtd), hyperfine, mtx, tgt, a C compiler
# (installed with apt-get when missing).
#
#   tools/bench.sh                 everything (about 5 minutes on 2 cores)
#   BENCH_RUNS=9 BENCH_CLI=PATH    runs per timing (median reported); a prebuilt NativeAOT CLI instead of publishing
#   BENCH_SKIP_DECODE=1            leave out the BenchmarkDotNet decoder run
#   BENCH_SKIP_KERNEL=1            leave out the kernel tier's rows (QEMU TCG guest, about a minute)
#
# What is compared, and how:
# - start-up: `tapechanger --version` and `status` on the built-in virtual library against a NativeAOT hello world
#   built here with the same SDK (the floor), and `mtx --version`;
# - status on a tgt library of 2,000 slots, 64 import/export elements and 16 drives: `tapechanger status` and
#   `status --json` over iscsi:// against `mtx status` reaching the same LUN through tools/sgbridge (libiscsi), and
#   the floor for it: tools/status-floor, a NativeAOT program that makes the same exchange and nothing else;
# - commands on the wire for status, load and unload, counted by tgtd itself (its debug log has one
#   target_cmd_queue line per command), so both tools are counted by the same party; and a `clean 0 --wait` (no mtx
#   cell: mtx has no cleaning);
# - the same status over sg: on a real Linux kernel (tools/kernel-tier.sh KT_BENCH: a QEMU TCG guest logs in to the
#   same geometry on tgt with the kernel's initiator; mtx and tapechanger read the guest's /dev/sgN in turn);
# - READ ELEMENT STATUS decoding rate and allocation per descriptor (tools/TapeChanger.Benchmarks);
# - status time and peak RSS on virtual libraries of 100 to 50,000 elements;
# - robot time: cleanings through the service engine with simulated move and cleaning times (tools/TapeChanger.RobotBench),
#   makespan beside the lower bound.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs=${BENCH_RUNS:-9}
work=$(mktemp -d /tmp/tapechanger-bench.XXXXXX)
export TGT_STATE_FILE=$work/tgt.state
cleanup() { tools/tgt-library.sh stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

need=""
for c in hyperfine:hyperfine mtx:mtx tgtd:tgt cc:build-essential /usr/bin/time:time; do
  command -v "${c%%:*}" >/dev/null 2>&1 || need="$need ${c#*:}"
done
if [ -n "$need" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

echo "== building (NativeAOT CLI, NativeAOT hello world, the status floor, sgbridge)" >&2
cli=${BENCH_CLI:-}
if [ -z "$cli" ]; then tools/publish-aot.sh "$work/aot" >/dev/null; cli=$work/aot/tapechanger; fi
mkdir -p "$work/hello"
cat >"$work/hello/hello.csproj" <<'EOF'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><PublishAot>true</PublishAot>
  <InvariantGlobalization>true</InvariantGlobalization><ImportDirectoryBuildProps>false</ImportDirectoryBuildProps></PropertyGroup>
</Project>
EOF
echo 'System.Console.WriteLine("hello");' >"$work/hello/Program.cs"
(cd "$work/hello" && dotnet publish -c Release -r linux-x64 -o out -nologo -v quiet >/dev/null)
hello=$work/hello/out/hello
# The floor for status on a device (tools/status-floor): the same SDK, start-up and wire exchange as a warm
# `tapechanger status`, and nothing else (no decoding, no listing).
floor=$(tools/status-floor/build.sh "$work/floor")
# the element ranges of the benchmark library below, as TapeChanger reads them (type:first:count[:dvcid])
floor_ranges="1:1:1 2:1000:2000 3:10:64 4:500:16:dvcid"
bridge=$(tools/sgbridge/build.sh "$work/sgbridge")

results=$work/results.tsv
: >"$results"
# median in ms of a command (hyperfine, no shell), appended as: row<TAB>tool<TAB>ms. Leading NAME=VALUE arguments are
# set in hyperfine's own environment, which the command inherits: a wrapper (a shell script or env) would be timed
# with the command, and /bin/sh's own start is about 0.4 ms.
time_it() { time_prepared "$1" "$2" "" "${@:3}"; }

# As time_it, for a move that needs the library put back before each run: PREPARE (a command line of the same tool)
# runs untimed before every run (hyperfine --prepare), its failure ignored (the first run finds nothing to put back).
time_prepared() {
  local row=$1 tool=$2 prepare=$3; shift 3
  local vars=() before=()
  while [ $# -gt 1 ] && [[ $1 == [A-Za-z_]*=* ]]; do vars+=("$1"); shift; done
  if [ -n "$prepare" ]; then before=(--prepare "sh -c '$prepare >/dev/null 2>&1; true'"); fi
  env "${vars[@]}" hyperfine -N -i -w 2 -r "$runs" "${before[@]}" --export-json "$work/h.json" "$*" >/dev/null 2>&1
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%s\t%s\t%.2f" % (sys.argv[2], sys.argv[3], r["median"]*1000))' \
    "$work/h.json" "$row" "$tool" >>"$results"
}

echo "== start-up" >&2
export TAPECHANGER_STATE_DIR=$work/state
"$cli" status >/dev/null   # first run creates the virtual library's state
time_it "--version" floor "$hello"
time_it "--version" tapechanger "$cli --version"
time_it "--version" mtx "$(command -v mtx) --version"
time_it "status, built-in virtual library" floor "$hello"
time_it "status, built-in virtual library" tapechanger "$cli status"

echo "== tgt library: 2,000 slots, 64 IE, 16 drives" >&2
media=""
for i in $(seq 0 9 1999); do media="$media $((1000 + i)):B$(printf '%05d' "$i")"; done
uri=$(TGT_SLOTS=2000 TGT_IE=64 TGT_IE_START=10 TGT_DRIVES=16 TGT_DRIVE_START=500 TGT_SLOT_START=1000 \
      TGT_SLOT_MEDIA="$media" tools/tgt-library.sh start | tail -n 1)
# shellcheck disable=SC1090
source "$TGT_STATE_FILE"
touch "$work/changer"
export SGBRIDGE_MAP="$work/changer=$uri"
mtxb() { LD_PRELOAD=$bridge mtx -f "$work/changer" "$@"; }
"$cli" --device "$uri" status >/dev/null
# mtx through the bridge, the bridge preloaded into mtx alone (in tapechanger it would load libiscsi for nothing)
mtx_status=("LD_PRELOAD=$bridge" "$(command -v mtx) -f $work/changer status")
time_it "status, tgt 2,000 slots" tapechanger "$cli --device $uri status"
"$floor" "$uri" $floor_ranges >/dev/null || { echo "the status floor failed on $uri" >&2; exit 1; }
time_it "status, tgt 2,000 slots" floor "$floor $uri $floor_ranges"
time_it "status --json, tgt 2,000 slots" floor "$floor $uri $floor_ranges"
time_it "status --json, tgt 2,000 slots" tapechanger "$cli --device $uri status --json"
time_it "status, tgt 2,000 slots" mtx "${mtx_status[@]}"
time_it "status --json, tgt 2,000 slots" mtx "${mtx_status[@]}"
# A load from slot 1 to drive 0 and the unload back, each tool putting the cartridge back (or in) before each run.
mtx_bin=$(command -v mtx)
time_prepared "load 1 0, tgt 2,000 slots" tapechanger "$cli --device $uri unload 1 0" "$cli --device $uri load 1 0"
time_prepared "unload 1 0, tgt 2,000 slots" tapechanger "$cli --device $uri load 1 0" "$cli --device $uri unload 1 0"
time_prepared "load 1 0, tgt 2,000 slots" mtx "$mtx_bin -f $work/changer unload 1 0" "LD_PRELOAD=$bridge" "$mtx_bin -f $work/changer load 1 0"
time_prepared "unload 1 0, tgt 2,000 slots" mtx "$mtx_bin -f $work/changer load 1 0" "LD_PRELOAD=$bridge" "$mtx_bin -f $work/changer unload 1 0"
"$cli" --device "$uri" unload 1 0 >/dev/null 2>&1 || true

echo "== commands on the wire (counted by tgtd)" >&2
tgtadm -C "$TGT_CONTROL" --mode system --op update --name debug --value on
count() {  # count CDBs tgtd queued while "$@" ran
  local before after
  before=$(grep -c target_cmd_queue "$TGT_DIR/tgtd.log" || true)
  "$@" >/dev/null 2>&1
  sleep 0.2
  after=$(grep -c target_cmd_queue "$TGT_DIR/tgtd.log" || true)
  echo $((after - before))
}
for tool in tapechanger mtx; do
  # A fresh state directory: "cold" is a first run against this library (no kept identity or element map), "warm"
  # the next one. mtx keeps nothing between runs, so both of its rows are the same command.
  if [ $tool = tapechanger ]; then run() { TAPECHANGER_STATE_DIR=$work/state-count "$cli" --device "$uri" "$@"; }; else run() { mtxb "$@"; }; fi
  printf 'commands: status (cold)\t%s\t%s\n' $tool "$(count run status)" >>"$results"
  printf 'commands: status (warm)\t%s\t%s\n' $tool "$(count run status)" >>"$results"
  printf 'commands: load 1 0\t%s\t%s\n' $tool "$(count run load 1 0)" >>"$results"
  printf 'commands: unload 1 0\t%s\t%s\n' $tool "$(count run unload 1 0)" >>"$results"
done
tgtadm -C "$TGT_CONTROL" --mode system --op update --name debug --value off
tools/tgt-library.sh stop >/dev/null
# A cleaning on tgt's default library (10 slots, 2 drives, cleaner CLN00001 in slot 10, adopted first): the element
# reads around the two moves, the drive's polls (TEST UNIT READY, LOG SENSE) and, once per process, the listing of the
# target's LUNs that finds the drives. mtx has no cleaning: its cell stays empty.
uri=$(tools/tgt-library.sh start | tail -n 1)
# shellcheck disable=SC1090
source "$TGT_STATE_FILE"
tgtadm -C "$TGT_CONTROL" --mode system --op update --name debug --value on
run() { TAPECHANGER_STATE_DIR=$work/state-clean "$cli" --device "$uri" "$@"; }
run cleaner reserve 10 --adopt --cleans 5 >/dev/null
printf 'commands: clean 0 --wait (tgt, 10 slots, 2 drives)\ttapechanger\t%s\n' "$(count run clean 0 --wait)" >>"$results"
tools/tgt-library.sh stop >/dev/null

if [ -z "${BENCH_SKIP_KERNEL:-}" ]; then
  echo "== kernel tier: status over sg: in a QEMU TCG guest, mtx beside tapechanger" >&2
  # Times on an emulated CPU: only the ratios mean something. The hello world is the start-up floor there too.
  KT_BENCH=$runs KT_CLI=$cli KT_HELLO=$hello KT_FLOOR=$floor KT_FLOOR_RANGES=${floor_ranges// /,} KT_BENCH_OUT=$results tools/kernel-tier.sh >"$work/kernel.log" 2>&1 \
    || { tail -20 "$work/kernel.log" >&2; echo "kernel tier benchmark failed (rows left out)" >&2; }
fi

echo "== virtual libraries: status time and peak RSS by size" >&2
for n in 100 1000 10000 50000; do
  dir=$work/v$n
  mkdir -p "$dir"
  sed -e '/^Drive: 1[2-9]/,$d' hw-profiles/mhvtl/library10/device.conf >"$dir/device.conf"
  {
    echo "VERSION: 2"; echo "Drive 1:"; echo "Picker 1:"; echo "MAP 1:"
    for i in $(seq 1 $((n - 3))); do
      if ((i % 2)); then printf 'Slot %d: V%05dL8\n' "$i" "$i"; else printf 'Slot %d:\n' "$i"; fi
    done
  } >"$dir/library_contents.10"
  st=$work/vstate$n
  TAPECHANGER_STATE_DIR=$st "$cli" --device "virtual:$dir" status >/dev/null
  time_it "status, virtual $n elements" tapechanger "TAPECHANGER_STATE_DIR=$st" "$cli --device virtual:$dir status"
  # Peak RSS: the process's own high-water mark (getrusage ru_maxrss, GNU time's %M, KiB), the highest of three runs
  # (single runs differ by a MiB or two with the timing of the collector); no environment variable tunes the GC.
  rss=0
  for _ in 1 2 3; do
    r=$( { /usr/bin/env -u DOTNET_GCgen0size -u DOTNET_GCHeapHardLimit TAPECHANGER_STATE_DIR=$st /usr/bin/time -f '%M' "$cli" --device "virtual:$dir" status --json >/dev/null; } 2>&1 | tail -n 1)
    if ((r > rss)); then rss=$r; fi
  done
  printf 'peak RSS MiB, status --json, virtual %d elements\ttapechanger\t%s\n' "$n" "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" >>"$results"
done

echo "== robot time: cleanings through the service engine, simulated move and cleaning times" >&2
# tools/TapeChanger.RobotBench: 4 cleanings over 2 drives (one picker, one cleaner), alone and with 8 transfers;
# the makespan beside the lower bound the picker and the cleaning cycle allow (its own table, printed as it runs).
dotnet build tools/TapeChanger.RobotBench -c Release -nologo -v quiet >/dev/null
dotnet tools/TapeChanger.RobotBench/bin/Release/net10.0/TapeChanger.RobotBench.dll 4 2 8 250 1 | tee "$work/robot.txt" >&2
# the lower bound goes in the "floor" column, so the ratio printed is makespan / bound
awk -F'|' '/cleanings/ && $3 ~ /[0-9]/ { gsub(/ /, "", $3); gsub(/ /, "", $4); gsub(/^ +| +$/, "", $2);
  printf "robot time s, %s\tfloor\t%s\nrobot time s, %s\ttapechanger\t%s\n", $2, $4, $2, $3 }' "$work/robot.txt" >>"$results"

if [ -z "${BENCH_SKIP_DECODE:-}" ]; then
  echo "== READ ELEMENT STATUS decoding (BenchmarkDotNet)" >&2
  dotnet build tools/TapeChanger.Benchmarks -c Release -nologo -v quiet >/dev/null
  (cd "$work" && dotnet "$repo/tools/TapeChanger.Benchmarks/bin/Release/net10.0/TapeChanger.Benchmarks.dll" \
      --filter '*' --job short --inProcess --exporters json >/dev/null 2>&1)
  python3 - "$work" >>"$results" <<'PY'
import glob, json, sys
for f in glob.glob(sys.argv[1] + "/BenchmarkDotNet.Artifacts/results/*.json"):
    for b in json.load(open(f))["Benchmarks"]:
        n = int(b["Parameters"].split("=")[1])
        ns = b["Statistics"]["Median"]
        alloc = b["Memory"]["BytesAllocatedPerOperation"]
        print(f"decode {n} elements: ms\ttapechanger\t{ns / 1e6:.3f}")
        print(f"decode {n} elements: M descriptors/s\ttapechanger\t{n / ns * 1e3:.1f}")
        print(f"decode {n} elements: bytes allocated per descriptor\ttapechanger\t{alloc / n:.0f}")
PY
fi

echo
python3 - "$results" "$(nproc)" "$(uname -m)" <<'PY'
import sys, collections
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    row, tool, value = line.rstrip("\n").split("\t")
    rows.setdefault(row, {})[tool] = float(value)
print(f"TapeChanger beside mtx 1.3.12 ({sys.argv[2]} cores, {sys.argv[3]}); times are medians in ms")
print(f"| {'what':58} | {'tapechanger':>11} | {'mtx':>8} | {'floor':>6} | {'ratio':>6} |")
print(f"|{'-'*60}|{'-'*13}:|{'-'*9}:|{'-'*7}:|{'-'*7}:|")
for row, v in rows.items():
    t, m, f = v.get("tapechanger"), v.get("mtx"), v.get("floor")
    base = m if m is not None else f
    ratio = f"{t / base:.2f}" if t is not None and base else ""
    fmt = lambda x: "" if x is None else (f"{x:.0f}" if x == int(x) and "commands" in row else f"{x:.2f}")
    print(f"| {row:58} | {fmt(t):>11} | {fmt(m):>8} | {fmt(f):>6} | {ratio:>6} |")
PY
