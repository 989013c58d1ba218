#!/usr/bin/env bash
# mhVTL tier: the CLI over mhvtl: against mhVTL's own vtllibrary and vtltape (their userland backend: SCSI on a unix
# socket per device, markh794/mhvtl@fada6b85 usr/transport_userland.c), with Debian's mtx reaching the same sockets
# through tools/sgbridge as the oracle; then the same scenario, from the same config files, on the project's virtual
# library, and every state compared element by element with the real daemons.
#
# mhVTL comes from the PATH (vtllibrary, vtltape, mktape, vtlcmd built with the userland backend; mhVTL's
# `make install`) or is built here from the source tarball named by MHVTL_SOURCE_TARBALL (absolute, or relative to the
# repository root). With neither, one line says the tier was skipped and how to enable it. Nothing from mhVTL is kept.
#
# Two libraries run at once, each with private MHVTL_QKEY/RUN/LOCK/CONFIG/HOME paths: A is an STK L700 with two IBM
# ULT3580-TD8 drives, 10 slots and 4 MAP slots (mhVTL's default kind); B an HP MSL G3 Series with two HP Ultrium
# 6-SCSI drives. Both go through status, load, transfer, unload, exchange (refused: mhVTL has no EXCHANGE MEDIUM), the
# operator's MAP actions (vtlcmd open/load/close/empty map), cleaner reserve, inject from the MAP and eject to it; A
# cleans drive 0 (`clean 0`, watching vtltape's three cleaning states), B raises TapeAlert 20 on drive 1 and runs
# `clean --if-needed --all`, which must clean drive 1 only. mhVTL's cleaning cycle is a fixed 120 s (30 s + 90 s
# timers in usr/pm/default_ssc_pm.c), hence the two libraries in parallel.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
log() { echo "mhvtl tier: $*"; }

# ---------------------------------------------------------------- find or build mhVTL
has_userland() {   # the userland backend's socket name is in the daemon or in its libvtlscsi.so
  local f
  for f in "$1" $(ldd "$1" 2>/dev/null | awk '/libvtlscsi/ {print $3}'); do
    grep -aq 'userland.%u.sock' "$f" 2>/dev/null && return 0
  done
  return 1
}
tarball=${MHVTL_SOURCE_TARBALL:-}
installed=""
if command -v vtllibrary >/dev/null && command -v vtltape >/dev/null && command -v mktape >/dev/null \
   && command -v vtlcmd >/dev/null && has_userland "$(command -v vtllibrary)"; then
  installed=$(dirname "$(command -v vtllibrary)")
elif [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
  log "skipped: no mhVTL with the userland backend on the PATH, and MHVTL_SOURCE_TARBALL does not name a source tarball (see README, 'mhVTL tier')"
  exit 0
fi

work=$(mktemp -d /tmp/tapechanger-mhvtl.XXXXXX)
pids=()
qkeys=()
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  for q in "${qkeys[@]}"; do ipcrm -Q "$q" 2>/dev/null || true; done
  if [ "$rc" != 0 ]; then
    for f in "$work"/*/daemon-*.log; do [ -s "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done
    log "FAILED (exit $rc); logs above, work directory removed"
  fi
  [ -n "${MHVTL_TIER_KEEP:-}" ] && [ -d "$work/out" ] && cp -r "$work/out" "$MHVTL_TIER_KEEP"    # for debugging the checks
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "$installed" ]; then
  bin=$installed
  log "using the installed mhVTL in $bin ($(vtllibrary -V 2>&1 | head -n 1 || true))"
else
  missing=""
  command -v cc >/dev/null || missing="$missing build-essential"
  command -v make >/dev/null || missing="$missing make"
  [ -e /usr/include/zlib.h ] || missing="$missing zlib1g-dev"
  if [ -n "$missing" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
  commit=$(gzip -dc "$tarball" | git get-tar-commit-id 2>/dev/null || true)
  log "building mhVTL commit ${commit:-unknown (not a git archive)} from $tarball"
  mkdir -p "$work/src"
  tar xzf "$tarball" -C "$work/src"
  src=$work/src
  [ -d "$src/usr" ] || src=$(dirname "$(find "$work/src" -maxdepth 2 -type d -name usr | awk 'NR == 1')")
  mkdir -p "$src/usr/bin"
  if ! make -C "$src/usr" -j2 bin/vtllibrary bin/vtltape bin/mktape cmd/vtlcmd.o >"$work/build.log" 2>&1; then
    tail -n 30 "$work/build.log"; exit 1
  fi
  # vtlcmd does not link at this commit (PrintErrorExit is declared but never defined): supply it.
  cat >"$work/vtlcmd-fix.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
void PrintErrorExit(char *prog, char *s) { fprintf(stderr, "%s: %s\n", prog, s); exit(1); }
C
  cc -o "$src/usr/bin/vtlcmd" "$src/usr/cmd/vtlcmd.o" "$work/vtlcmd-fix.c" -L"$src/usr" -lvtlscsi
  export LD_LIBRARY_PATH=$src/usr${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  bin=$src/usr/bin
fi

# ---------------------------------------------------------------- tools: the CLI, mtx, the sg bridge
for p in mtx; do command -v "$p" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mtx >/dev/null; }; done
dll=$repo/src/TapeChanger.Cli/bin/Release/net10.0/tapechanger.dll
[ -f "$dll" ] || dotnet build "$repo/src/TapeChanger.Cli" -c Release -nologo -v quiet >/dev/null
bridge=$(tools/sgbridge/build.sh "$work/sgbridge" | tail -n 1)

# ---------------------------------------------------------------- configuration (shared by mhVTL and the virtual library)
# write_config DIR LIBID VENDOR PRODUCT DRIVEVENDOR DRIVEPRODUCT SERIALPREFIX MEDIA
write_config() {
  local dir=$1 lib=$2 vendor=$3 product=$4 dvendor=$5 dproduct=$6 sp=$7 media=$8 home=$9
  mkdir -p "$dir"
  cat >"$dir/mhvtl.conf" <<EOF
MHVTL_HOME_PATH=$home
CAPACITY=16
VERBOSE=1
EOF
  {
    echo "VERSION: 5"
    echo
    echo "Library: $lib CHANNEL: 00 TARGET: 00 LUN: 00"
    echo " Vendor identification: $vendor"
    echo " Product identification: $product"
    echo " Unit serial number: ${sp}L"
    echo " NAA: 10:22:33:44:ab:$lib:00:00"
    echo " Home directory: $home"
    echo " PERSIST: False"
    echo " Backoff: 400"
    # TapeChanger's own key (mhVTL ignores it): the virtual library's cleaning stage 1 in seconds (README: known differences)
    echo " Cleaning time: 1"
    for k in 1 2; do
      echo
      echo "Drive: $((lib + k)) CHANNEL: 00 TARGET: 0$k LUN: 00"
      echo " Library ID: $lib Slot: 0$k"
      echo " Vendor identification: $dvendor"
      echo " Product identification: $dproduct"
      echo " Product revision level: 2160"
      echo " Unit serial number: ${sp}D$k"
      echo " NAA: 10:22:33:44:ab:$lib:0$k:00"
      echo " Compression: factor 1 enabled 1"
      echo " Compression type: lzo"
      echo " Backoff: 400"
    done
  } >"$dir/device.conf"
  {
    echo "VERSION: 2"
    echo
    echo "Drive 1:"
    echo "Drive 2:"
    echo
    echo "Picker 1:"
    echo
    for m in 1 2 3 4; do echo "MAP $m:"; done
    echo
    for s in 1 2 3 4; do echo "Slot $s: ${sp}$(printf %03d "$s")$media"; done
    for s in 5 6 7 8 9 10; do echo "Slot $s:"; done
  } >"$dir/library_contents.$lib"
}

# make_media DIR LIBID BARCODE data|clean DENSITY
make_media() {
  local inst=$1
  "$bin/mktape" -C "$inst/conf" -H "$inst/home" -l "$2" -m "$3" -s 16 -t "$4" -d "$5" >/dev/null
  ln -sf data.0 "$inst/home/$3/data"     # vtlcmd load map opens HOME/BARCODE/data, mktape writes data.0
}

# start_mhvtl INST LIBID: the two vtltape daemons, then vtllibrary; waits for the three sockets
start_mhvtl() {
  local inst=$1 lib=$2 id started=""
  for id in $((lib + 1)) $((lib + 2)) "$lib"; do
    local daemon=vtltape; [ "$id" = "$lib" ] && daemon=vtllibrary
    (
      export MHVTL_BACKEND=userland MHVTL_CONFIG_PATH=$inst/conf MHVTL_HOME_PATH=$inst/home \
             MHVTL_LOCK_PATH=$inst/lock MHVTL_RUN_PATH=$inst/run MHVTL_QKEY=$(cat "$inst/qkey")
      exec "$bin/$daemon" -F -q "$id"
    ) >"$inst/daemon-$id.log" 2>&1 &
    pids+=($!)
    started="$started $daemon -q $id (pid $!)"
    [ "$daemon" = vtllibrary ] || sleep 0.2
  done
  for _ in $(seq 1 100); do
    [ -S "$inst/run/userland.$lib.sock" ] && [ -S "$inst/run/userland.$((lib + 1)).sock" ] && [ -S "$inst/run/userland.$((lib + 2)).sock" ] && break
    sleep 0.1
  done
  [ -S "$inst/run/userland.$lib.sock" ] || { log "library $lib: vtllibrary did not create its socket"; exit 1; }
  log "library $lib: started$started; MHVTL_QKEY $(cat "$inst/qkey"), run path $inst/run"
}

# setup NAME LIBID VENDOR PRODUCT DRIVEVENDOR DRIVEPRODUCT SERIALPREFIX MEDIA DENSITY
setup() {
  local inst=$work/$1 lib=$2
  mkdir -p "$inst/home" "$inst/run" "$inst/lock"
  printf '0x%x\n' $((0x4d000000 + ($$ % 0x8000) * 32 + lib)) >"$inst/qkey"
  qkeys+=("$(cat "$inst/qkey")")
  write_config "$inst/conf" "$lib" "$3" "$4" "$5" "$6" "$7" "$8" "$inst/home"
  for s in 1 2 3 4; do make_media "$inst" "$lib" "$7$(printf %03d "$s")$8" data "$9"; done
  echo "CLN${lib}1$8" >"$inst/cleaner"        # e.g. CLN101L8: placed in the MAP by the operator later
  make_media "$inst" "$lib" "$(cat "$inst/cleaner")" clean "$9"
  start_mhvtl "$inst" "$lib"
}

setup A 10 STK L700 IBM ULT3580-TD8 TCA L8 LTO8
setup B 30 HP "MSL G3 Series" HP "Ultrium 6-SCSI" TCB L6 LTO6

# ---------------------------------------------------------------- the scenario, once per library and backend
# run_scenario RUN INST LIBID BACKEND(mhvtl|virtual) CLEANSTEP(clean0|ifneeded)
run_scenario() {
  local run=$1 inst=$work/$2 lib=$3 backend=$4 clean=$5
  local out=$work/out/$run state=$work/state-$run dev changer=""
  mkdir -p "$out" "$state"
  if [ "$backend" = mhvtl ]; then
    dev="mhvtl:$inst/run/userland.$lib.sock?config=$inst/conf"
    changer=$inst/changer-node; : >"$changer"
  else
    dev="virtual:$inst/conf"
  fi
  cli() { TAPECHANGER_STATE_DIR=$state TAPECHANGER_CleanerPollMilliseconds=500 dotnet "$dll" --device "$dev" "$@"; }
  op() {   # the operator: vtlcmd on mhVTL, `tapechanger virtual ...` on the virtual library
    if [ "$backend" = mhvtl ]; then
      local id=$lib args
      case $1 in
        open|close|empty) args="$1 map" ;;
        load) args="load map $2" ;;
        tapealert) id=$((lib + 1 + $2)); args="TapeAlert $3" ;;
      esac
      MHVTL_CONFIG_PATH=$inst/conf MHVTL_HOME_PATH=$inst/home MHVTL_LOCK_PATH=$inst/lock MHVTL_RUN_PATH=$inst/run \
        MHVTL_QKEY=$(cat "$inst/qkey") "$bin/vtlcmd" "$id" $args >/dev/null
    else
      case $1 in
        open|close) cli virtual ieport "$1" >/dev/null ;;
        load) cli virtual ieport insert "$2" >/dev/null ;;
        empty) cli virtual ieport remove >/dev/null ;;
        tapealert) cli virtual drive tapealert "$2" "$3" >/dev/null ;;
      esac
    fi
    sleep 0.3   # vtlcmd returns before the daemon applies the message
  }
  snap() {   # status as JSON and text, and mtx's view of the same socket (and the project's mtx mode, where built)
    cli status --json >"$out/$1.json"
    cli status >"$out/$1.txt"
    if [ -n "$changer" ]; then
      SGBRIDGE_MAP="$changer=mhvtl:$inst/run/userland.$lib.sock" LD_PRELOAD=$bridge mtx -f "$changer" status >"$out/$1.mtx"
      echo "$changer" >"$out/mtx-device"
      if [ "$mtx_mode" = 1 ]; then
        TAPECHANGER_STATE_DIR=$state dotnet "$dll" mtx -f "$dev" status >"$out/$1.tcmtx"
        echo "$dev" >"$out/tcmtx-device"
      fi
    fi
    echo "$1" >>"$out/steps"
  }
  wait_op() {  # wait_op ID STATE
    local s=""
    for _ in $(seq 1 300); do
      s=$(cli operations "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["operation"]["state"])')
      [ "$s" = "$2" ] && return 0
      sleep 0.2
    done
    echo "$run: operation $1 did not reach $2 (now $s)"; return 1
  }
  jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

  [ "$backend" = virtual ] && cli virtual reset >/dev/null
  # A fresh daemon (or a reset virtual library) raises a power-on unit attention; the first command absorbs it.
  snap initial
  cli load 1 0 >/dev/null;                    snap loaded
  cli transfer 2 5 >/dev/null;                snap transferred
  if [ "$clean" = clean0 ]; then
    # Eject before unload (a profile override asks for it): LOAD UNLOAD reaches the drive (its vtltape socket, or the
    # virtual drive LUN) before the MOVE MEDIUM.
    local cfg=$work/xdg-$run
    mkdir -p "$cfg/tapechanger/hw-profiles"
    cli profiles mhvtl-stk-l-series | python3 -c 'import json,sys; p=json.load(sys.stdin); p["ejectBeforeUnload"]=True; json.dump(p, open(sys.argv[1], "w"))' \
      "$cfg/tapechanger/hw-profiles/mhvtl-stk-l-series.json"
    XDG_CONFIG_HOME=$cfg cli --verbose unload 2>"$out/unload.trace" >/dev/null
    [ "$(grep -E '^> (LOAD UNLOAD|MOVE MEDIUM)' "$out/unload.trace" | cut -d' ' -f2 | uniq | tr '\n' ' ')" = "LOAD MOVE " ] \
      || { echo "$run: LOAD UNLOAD must reach the drive before MOVE MEDIUM:"; grep '^>' "$out/unload.trace"; return 1; }
  else
    cli unload >/dev/null
  fi
  snap unloaded
  set +e; cli exchange 3 4 >/dev/null 2>"$out/exchange.err"; echo $? >"$out/exchange.rc"; set -e
  op open;                                    snap map-open
  op load "$(cat "$inst/cleaner")";         snap map-loaded
  op close;                                   snap map-closed
  cli cleaner reserve 8 >/dev/null
  cli cleaner inject --cleans 5 --wait --json >"$out/inject.json"
  snap injected
  if [ "$clean" = clean0 ]; then
    cli --verbose clean 0 --wait --json >"$out/clean.json" 2>"$out/clean.trace"
  else
    op tapealert 1 80000                      # TapeAlert flag 20 (bit 19): cleaning required
    cli clean --if-needed --all --wait --json >"$out/clean.json"
  fi
  cli cleaner status --json >"$out/cleaner-status.json"
  snap cleaned
  local id
  id=$(cli cleaner eject --json | jget 'd["operation"]')
  wait_op "$id" waiting-for-operator
  snap ejected
  op open; op empty; op close
  wait_op "$id" passed
  snap emptied
  cli cleaner release >/dev/null
  echo "$backend" >"$out/backend"
  log "$run: scenario ran ($(wc -l <"$out/steps") states recorded)"
}

mkdir -p "$work/out"
mtx_mode=0
{ dotnet "$dll" mtx --version 2>&1 || true; } | grep -q '^mtx version' && mtx_mode=1
[ "$mtx_mode" = 1 ] && log "the CLI has an mtx mode: its status is compared byte for byte with mtx's"
log "running the scenario on both mhVTL libraries (A: clean 0; B: TapeAlert 20 + clean --if-needed; ~2 min: mhVTL's cleaning cycle)"
run_scenario mhvtl-A A 10 mhvtl clean0 >"$work/run-A.log" 2>&1 &
ra=$!
run_scenario mhvtl-B B 30 mhvtl ifneeded >"$work/run-B.log" 2>&1 &
rb=$!
# The virtual library runs the same scenario from the same files meanwhile (its cleaning takes seconds).
run_scenario virtual-A A 10 virtual clean0
run_scenario virtual-B B 30 virtual ifneeded
fa=0; fb=0
wait "$ra" || fa=$?
wait "$rb" || fb=$?
cat "$work/run-A.log" "$work/run-B.log"
[ "$fa" = 0 ] && [ "$fb" = 0 ] || { log "a scenario on mhVTL failed"; exit 1; }

python3 tools/mhvtl-tier-check.py "$work/out"
log "passed"
