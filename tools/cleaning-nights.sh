#!/usr/bin/env bash
# A month of nightly cleaning, as README "Nightly cleaning from cron" writes the cron job:
#   tapechanger clean --if-needed --all --wait --json
# run for 30 simulated nights with faults between them (no cleaner, a spent cleaner, a worker killed with the cleaner in
# a drive, Ctrl-C during a cleaning), and every night's exit status and per-drive result checked against what the night
# should give. On the virtual library (drives ask through TapeAlert 20, read from page 12h) and on a tgt library over
# iscsi:// (tgt's drives have no TapeAlert: a request is written into the library's state as an earlier read would
# have left it; the operator is tools/tgt-library.sh).
#   tools/cleaning-nights.sh [virtual|tgt|both]     (default both; tgt needs root and tgtd)
# Needs the built CLI (dotnet build src/TapeChanger.Cli -c Release). Every --json document is checked against its schema.
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-both}
# TAPECHANGER_BIN: the NativeAOT binary (CI: artifacts/aot/tapechanger, which starts in a fraction of the time).
dll=src/TapeChanger.Cli/bin/Release/net10.0/tapechanger.dll
if [ -n "${TAPECHANGER_BIN:-}" ]; then tc=$TAPECHANGER_BIN
else
  [ -f "$dll" ] || { echo "build the CLI first: dotnet build src/TapeChanger.Cli -c Release" >&2; exit 1; }
  tc="dotnet $dll"
fi
work=$(mktemp -d /tmp/tapechanger-nights.XXXXXX)
export TGT_STATE_FILE=$work/tgt.state
cleanup() { [ "$which" = virtual ] || tools/tgt-library.sh stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
export TAPECHANGER_CleanerPollMilliseconds=200

json() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
fail() { echo "FAIL ($lib, night $night): $*" >&2; exit 1; }
# Every --json document the month produces is checked against its schema under docs/schemas/ (Debian's python3-jsonschema).
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-jsonschema >/dev/null; }
schema() {  # schema NAME FILE
  /usr/bin/python3 tools/lib/check_schema.py "$1" "$2" || fail "$2 does not match docs/schemas/$1.schema.json: $(cat "$2")"
}

# The cron job. Its exit status and JSON are what the night is judged on.
nightly() {
  rc=0
  $cli clean --if-needed --all --wait --json >"$work/night.json" 2>"$work/night.err" || rc=$?
}

# expect_night RC [DRIVE:STATE:RESULT ...]: the job's exit status and its drives, in order (none: nothing to do).
expect_night() {
  local want=$1; shift
  [ "$rc" = "$want" ] || fail "exit $rc, expected $want: $(cat "$work/night.json" "$work/night.err")"
  schema cleaner-result "$work/night.json"
  # Progress on stderr (a pipe here): JSON lines, each a progress event; a line per state change, so a few per drive.
  local events=0
  while IFS= read -r line; do
    case $line in "{"*) printf '%s\n' "$line" >"$work/event.json"; schema progress-event "$work/event.json"; events=$((events + 1)) ;; esac
  done <"$work/night.err"
  [ "$events" -le $((8 * ($# + 1))) ] || fail "$events progress lines for $# drive(s): $(cat "$work/night.err")"
  local got
  got=$(json '" ".join("%d:%s:%s" % (e["drive"], e["state"] or "-", e["result"]) for e in d.get("drives") or [])' <"$work/night.json")
  [ "$got" = "$*" ] || fail "drives '$got', expected '$*'"
  echo "night $night: exit $rc ${*:-(nothing to clean)}"
}

cleans_left() { $cli cleaner status --json | json 'd["cleansLeft"]'; }
expect_cleans_left() { [ "$(cleans_left)" = "$1" ] || fail "cleaner has $(cleans_left) cleanings left, expected $1"; }

# wait_step ID STEP: until the journalled operation reaches the step (the cleaner is in the drive for in-drive).
wait_step() {
  for _ in $(seq 1 150); do
    [ "$($cli operations "$1" --json | json 'd["operation"]["step"]')" = "$2" ] && return 0
    sleep 0.1
  done
  fail "operation $1 never reached step $2"
}

last_clean_op() { $cli operations --json | json '[o["id"] for o in d["operations"] if o["kind"] == "clean"][0]'; }

# A drive asks for cleaning: TapeAlert 20 on the virtual drive; on tgt (whose drives cannot ask), the request an earlier
# read recorded, written into the state database's pending_cleanings table as that read would have.
ask() {
  if [ "$lib" = virtual ]; then
    $cli virtual drive tapealert "$1" 80000 >/dev/null
  else
    local key serial
    key=$($cli cleaner status --json | json 'd["library"]')
    serial=$($cli status --json | json '[e["serial"] for e in d["elements"] if e["type"] == "dataTransfer" and e["drive"] == '"$1"'][0]')
    python3 - "$state/tapechanger.db" "$key" "$serial" "$1" <<'PY'
import sqlite3, sys
path, lib, serial, drive = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
db = sqlite3.connect(path, timeout=30)
with db:
    db.execute("INSERT OR REPLACE INTO pending_cleanings (library_key, drive_key, drive, address, reason, since, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)",
               (lib, serial, drive, 500 + drive, "TapeAlert 20: cleaning required", "2026-01-01T02:00:00+00:00", "2026-01-01T02:00:00+00:00"))
db.close()
PY
  fi
}

# The operator at the mail slot.
operator_insert() {  # BARCODE
  if [ "$lib" = virtual ]; then
    $cli virtual ieport open >/dev/null; $cli virtual ieport insert "$1" >/dev/null; $cli virtual ieport close >/dev/null
  else
    tools/tgt-library.sh insert 11 "$1" >/dev/null
  fi
}
operator_remove() {  # ELEMENT
  if [ "$lib" = virtual ]; then
    $cli virtual ieport open >/dev/null; $cli virtual ieport remove >/dev/null; $cli virtual ieport close >/dev/null
  else
    tools/tgt-library.sh remove "$1" >/dev/null
  fi
}

inject() {  # BARCODE CLEANS
  local op
  op=$($cli cleaner inject --cleans "$2" --json | json 'd["operation"]')
  for _ in $(seq 1 100); do [ "$($cli operations "$op" --json | json 'd["operation"]["state"]')" = waiting-for-operator ] && break; sleep 0.1; done
  operator_insert "$1"
  for _ in $(seq 1 150); do [ "$($cli operations "$op" --json | json 'd["operation"]["state"]')" = passed ] && return 0; sleep 0.1; done
  fail "inject of $1 did not pass: $($cli operations "$op")"
}

eject() {
  local op ie
  op=$($cli cleaner eject --json | json 'd["operation"]')
  for _ in $(seq 1 100); do [ "$($cli operations "$op" --json | json 'd["operation"]["state"]')" = waiting-for-operator ] && break; sleep 0.1; done
  ie=$($cli operations "$op" --json | json 'd["operation"]["progress"]' | grep -oE 'element [0-9]+' | grep -oE '[0-9]+' || true)
  operator_remove "$ie"
  for _ in $(seq 1 150); do [ "$($cli operations "$op" --json | json 'd["operation"]["state"]')" = passed ] && return 0; sleep 0.1; done
  fail "eject did not pass: $($cli operations "$op")"
}

month() {
  night=0
  echo "== $lib: setup"
  if [ "$lib" = virtual ]; then
    $cli cleaner reserve 21 >/dev/null
    inject CLN501L8 3
    new1=CLN502L8; new2=CLN503L8; drives=2     # drives 2 and 3 are LTO-6 drives: they reject an L8 cleaner (exit 87)
  else
    $cli cleaner reserve 10 --adopt --cleans 3 >/dev/null          # tgt-library.sh ships CLN00001 in slot 10
    new1=CLN00002; new2=CLN00003; drives=2
  fi
  expect_cleans_left 3
  for night in $(seq 1 30); do
    case $night in
      2) ask 1; nightly; expect_night 0 "1:passed:ERROR_SUCCESS"; expect_cleans_left 2 ;;
      4) eject; ask 0; nightly; expect_night 84 "0:-:ERROR_SLOT_EMPTY" ;;                      # no cleaner
      5) nightly; expect_night 84 "0:-:ERROR_SLOT_EMPTY" ;;                                   # still none: fails again
      6) inject "$new1" 1; nightly; expect_night 0 "0:passed:ERROR_SUCCESS"; expect_cleans_left 0 ;;
      7) ask 1; nightly; expect_night 86 "1:-:ERROR_CLEANER_CARTRIDGE_SPENT" ;;               # a spent cleaner
      8) eject; inject "$new2" 10; nightly; expect_night 0 "1:passed:ERROR_SUCCESS"; expect_cleans_left 9 ;;
      9)  # A cleaning started by hand; its worker is killed with the cleaner in the drive.
          # (slow polls: tgt's drive is ready again after three, and the kill must find the cleaner still in the drive)
          op=$(TAPECHANGER_CleanerPollMilliseconds=1500 $cli clean 0 --json | json 'd["operation"]')
          wait_step "$op" in-drive
          pid=$($cli operations "$op" --json | json 'd["operation"]["workerPid"]')
          kill -9 "$pid"; sleep 0.3
          for _ in $(seq 1 30); do [ "$($cli operations "$op" --json | json 'd["operation"]["state"]')" = interrupted ] && break; sleep 0.2; done
          [ "$($cli operations "$op" --json | json 'd["operation"]["state"]')" = interrupted ] || fail "a dead worker's operation is not shown as interrupted: $($cli operations "$op"; ps -o pid,stat,cmd -p "$pid" || true)"
          # status marks the drive whose cleaning has not ended (JSON and text), with the operation.
          $cli status --json >"$work/doc.json"; schema status "$work/doc.json"
          cleaning=$(json '[e.get("cleaning") for e in d["elements"] if e["type"] == "dataTransfer" and e["drive"] == 0][0]' <"$work/doc.json")
          case $cleaning in *"'$op'"*"'interrupted'"*"'in-drive'"*) ;; *) fail "status --json does not show drive 0's interrupted cleaning: $cleaning" ;; esac
          $cli status | grep -E "^ *drive 0 " | grep -q "CLEANING (interrupted, in-drive; operation $op)" || fail "status does not mark drive 0's cleaning: $($cli status)"
          $cli operations "$op" | grep -q "operations recover" || fail "no 'operations recover' hint for the dead worker"
          nightly; expect_night 0
          grep -q "recovering cleaning $op" "$work/night.err" || fail "the night did not recover the dead worker's cleaning first"
          [ "$($cli operations "$op" --json | json 'd["operation"]["state"]')" = passed ] || fail "recovered cleaning did not pass"
          expect_cleans_left 8 ;;
      10) # Ctrl-C while the cleaner is in the drive.
          ask 1
          set -m                                      # a job of its own: SIGINT reaches it as from a terminal
          TAPECHANGER_CleanerPollMilliseconds=1500 $cli clean --if-needed --all --wait --json >"$work/night.json" 2>"$work/night.err" & job=$!
          set +m
          for _ in $(seq 1 150); do
            op=$($cli operations --json | json '[o["id"] for o in d["operations"] if o["kind"] == "clean" and o["step"] == "in-drive" and not o["final"]] + [""]' | tr -d "[]'," | awk '{print $1}')
            [ -n "$op" ] && break; sleep 0.1
          done
          [ -n "$op" ] || fail "the night's cleaning never reached the drive"
          kill -INT "$job"; rc=0; wait "$job" || rc=$?
          [ "$rc" = 130 ] || fail "Ctrl-C exit $rc, expected 130"
          [ "$($cli operations "$op" --json | json 'd["operation"]["result"]')" = ERROR_CANCELLED ] || fail "the journal does not say cancelled: $($cli operations "$op")"
          echo "night $night: exit 130 (Ctrl-C), journal: $($cli operations "$op" --json | json 'd["operation"]["state"] + " " + d["operation"]["result"]')" ;;
      11) nightly; expect_night 0; grep -q "recovering cleaning" "$work/night.err" || fail "the cancelled cleaning was not finished first"
          expect_cleans_left 7 ;;
      15|20|25|30) d=$((night % drives)); ask "$d"; nightly; expect_night 0 "$d:passed:ERROR_SUCCESS" ;;
      *) nightly; expect_night 0 ;;
    esac
  done
  expect_cleans_left 3
  $cli status --json >"$work/doc.json"; schema status "$work/doc.json"
  $cli cleaner status --json >"$work/doc.json"; schema cleaner-status "$work/doc.json"
  $cli operations --json >"$work/doc.json"; schema operations "$work/doc.json"
  $cli operations "$(last_clean_op)" --json >"$work/doc.json"; schema operation "$work/doc.json"
  rc=0; $cli clean --if-needed --all --dry-run --json >"$work/doc.json" || rc=$?
  schema cleaner-result "$work/doc.json"
  rc=0; $cli clean --if-needed --all --dry-run >/dev/null || rc=$?
  [ "$rc" = 0 ] || fail "after the month --dry-run says there is work ($rc)"
  total=$($cli cleaner status --json | json 'sum(len(v) for v in d["history"].values())')
  echo "== $lib: 30 nights, every outcome as expected; $total cleanings in the history"
}

if [ "$which" = virtual ] || [ "$which" = both ]; then
  lib=virtual
  cfg=$work/virtual-cfg; mkdir -p "$cfg"; cp hw-profiles/mhvtl/library10/* "$cfg"/
  sed -i 's/# Cleaning time: 30/ Cleaning time: 1/' "$cfg/device.conf"
  state=$work/virtual-state; export TAPECHANGER_STATE_DIR=$state
  cli="$tc --device virtual:$cfg"
  month
fi
if [ "$which" = tgt ] || [ "$which" = both ]; then
  lib=tgt
  command -v tgtd >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tgt >/dev/null; }
  uri=$(tools/tgt-library.sh start | tail -n 1)
  state=$work/tgt-state; export TAPECHANGER_STATE_DIR=$state TAPECHANGER_CleaningSeconds=2
  cli="$tc --device $uri"
  month
fi
