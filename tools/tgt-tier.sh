#!/usr/bin/env bash
# tgt tier: the iSCSI initiator's tgt tests, then the device-agnostic conformance suite and the CLI over
# iscsi:// against a tgt library on loopback. Needs root (tgtd) and the tgt package (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v tgtd >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tgt >/dev/null
fi
export TGT_STATE_FILE=$(mktemp -u /tmp/tapechanger-tgt-tier.XXXXXX)
cleanup() { tools/tgt-library.sh stop >/dev/null 2>&1 || true; rm -f "$TGT_STATE_FILE"; }
trap cleanup EXIT

echo "== iSCSI initiator against tgt"
TAPECHANGER_TGT=1 dotnet test tests/TapeChanger.Transport.Iscsi.Tests -c Release --no-build -nologo -v quiet

uri=$(tools/tgt-library.sh start | tail -n 1)
echo "== conformance suite over $uri"
TAPECHANGER_TEST_DEVICE="$uri" dotnet test tests/TapeChanger.Domain.Tests -c Release --no-build -nologo -v quiet \
  --filter "FullyQualifiedName~ChangerConformanceTests"

echo "== service engine over $uri (8 clients x 50 mixed requests, a cleaning; the library is put back)"
TAPECHANGER_TEST_DEVICE="$uri" dotnet test tests/TapeChanger.Service.Tests -c Release --no-build -nologo -v quiet \
  --filter "FullyQualifiedName~TgtServiceTests"

echo "== CLI over $uri"
cli="dotnet src/TapeChanger.Cli/bin/Release/net10.0/tapechanger.dll --device $uri"
state=$(mktemp -d); export TAPECHANGER_STATE_DIR=$state
json=$($cli status --json)
python3 - "$json" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
els = {e["address"]: e for e in d["elements"]}
# tgt-library.sh defaults: slots 1000-1009 with A0000001..4 in 1000-1003 and CLN00001 in 1009; IE 10-11; drives 500-501.
assert sum(1 for e in els.values() if e["type"] == "storage") == 10, "storage count"
assert sum(1 for e in els.values() if e["type"] == "importExport") == 2, "IE count"
assert sum(1 for e in els.values() if e["type"] == "dataTransfer") == 2, "drive count"
assert [els[a]["barcode"] for a in (1000, 1001, 1002, 1003)] == ["A0000001", "A0000002", "A0000003", "A0000004"]
assert els[1009]["barcode"] == "CLN00001" and els[1009]["cleaner"], "cleaner by CLN prefix (tgt reports medium type 0)"
assert not els[500]["full"] and not els[1004]["full"]
print("status over iscsi matches the configured library")
PY
$cli load 1 0 >/dev/null
[ "$($cli status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); e=[x for x in d["elements"] if x["address"]==500][0]; print(e["barcode"], e["source"])')" = "A0000001 1000" ]
$cli unload >/dev/null
set +e; $cli load 5 0 2>/dev/null; rc=$?; set -e
[ "$rc" = 1 ] || { echo "expected exit 1 for an empty slot, got $rc"; exit 1; }
tools/tgt-library.sh insert 10 OPER0001 >/dev/null
$cli import --json | grep -q '"destination": 1004'
echo "CLI load/unload/error/import over iscsi: ok"

echo "== tools/status-floor over $uri (tools/bench.sh's floor for status: it still builds and reads a library)"
floor_dir=$(mktemp -d)
floor=$(tools/status-floor/build.sh "$floor_dir" --jit)
read_bytes=$($floor "$uri" 1:1:1 2:1000:10 3:10:2 4:500:2:dvcid)
[[ $read_bytes =~ ^[0-9]+$ ]] && ((read_bytes > 14 * 12)) || { echo "status-floor read '$read_bytes'"; exit 1; }
rm -rf "$floor_dir"
echo "status-floor read $read_bytes bytes of element status: ok"

echo "== eject before unload over iscsi: a profile override asks for it; the drive LUN is found by its serial"
cfg=$(mktemp -d); mkdir -p "$cfg/tapechanger/hw-profiles"
$cli profiles mhvtl-stk-l-series > "$cfg/p.json"
python3 - "$cfg/p.json" "$cfg/tapechanger/hw-profiles/mhvtl-stk-l-series.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["ejectBeforeUnload"] = True
p.setdefault("sources", {})["ejectBeforeUnload"] = "tgt tier: exercises the eject path (docs/reference/library-behaviour.md §18)"
json.dump(p, open(sys.argv[2], "w"), indent=2)
PY
XDG_CONFIG_HOME=$cfg $cli load 2 0 >/dev/null
trace=$(XDG_CONFIG_HOME=$cfg $cli --verbose unload 2>&1 >/dev/null)
echo "$trace" | grep -c '> LOAD UNLOAD: cdb 1b 00 00 00 00 00' >/dev/null || { echo "no LOAD UNLOAD before the move:"; echo "$trace"; exit 1; }
[ "$(echo "$trace" | grep -nE '> (LOAD UNLOAD|MOVE MEDIUM)' | cut -d' ' -f2 | uniq | tr '\n' ' ')" = "LOAD MOVE " ] || { echo "LOAD UNLOAD must precede MOVE MEDIUM:"; echo "$trace"; exit 1; }
[ "$($cli status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print([e["barcode"] for e in d["elements"] if e["address"]==1001][0])')" = A0000002 ]
rm -rf "$cfg"
echo "eject before unload over iscsi: ok"
rm -rf "$state"

echo "== list over iSCSI discovery"
portal=$(echo "$uri" | sed -E 's#^(iscsi://[^/]+)/.*#\1#')
listing=$(dotnet src/TapeChanger.Cli/bin/Release/net10.0/tapechanger.dll list "$portal" --json)
python3 - "$listing" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
changers = [x for x in d["devices"] if x["kind"] == "changer"]
tapes = {x["uri"]: x["serial"] for x in d["devices"] if x["kind"] == "tape"}
assert len(changers) == 1 and len(tapes) == 2, d
drives = changers[0]["drives"]
# Drive 1's DVCID serial arrives cut short (tgt's 8-bytes-short reply); it is still paired, by prefix.
assert [x["uri"] for x in drives] == sorted(tapes), drives
print("list: changer and both drives paired by serial")
PY

echo "== cleaner cycle over iscsi: reserve, a remembered request for drive 1, inject via the IE port (operator = tgtadm), clean drive 0 and (--if-needed) drive 1, eject, release"
state=$(mktemp -d); export TAPECHANGER_STATE_DIR=$state TAPECHANGER_CleanerPollMilliseconds=200 TAPECHANGER_CleaningSeconds=2
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
wait_op() {  # wait_op ID STATE
  for _ in $(seq 1 100); do
    s=$($cli operations "$1" --json | json 'd["operation"]["state"]')
    [ "$s" = "$2" ] && return 0
    sleep 0.2
  done
  echo "operation $1 did not reach $2 (now $s)"; $cli operations "$1"; exit 1
}
$cli cleaner reserve 6 >/dev/null
# A remembered request for cleaning. tgt's tape LU implements no LOG SENSE and never reports 00/17, so no tgt drive
# can ask for cleaning: the request here is one an earlier run read and recorded, written into the state database's
# pending_cleanings table as that run would have. What tgt shows: a fresh look finds nothing (LOG SENSE refused, REQUEST SENSE clean), the
# remembered request is keyed by the drive's real serial (DVCID), fails every run with its cause, and goes when
# drive 1 is cleaned.
rc=0; $cli clean --if-needed --all --dry-run >/dev/null || rc=$?
[ "$rc" = 0 ] || { echo "dry run on tgt with no request: exit $rc, expected 0"; exit 1; }
serial1=$($cli status --json | json '[e["serial"] for e in d["elements"] if e["type"]=="dataTransfer" and e["drive"]==1][0]')
lib=$($cli cleaner status --json | json 'd["library"]')
python3 - "$state/tapechanger.db" "$lib" "$serial1" <<'PY'
import sqlite3, sys
path, lib, serial = sys.argv[1:4]
db = sqlite3.connect(path, timeout=30)
with db:
    db.execute("INSERT INTO pending_cleanings (library_key, drive_key, drive, address, reason, since, last_seen) VALUES (?, ?, 1, 501, ?, ?, ?)",
               (lib, serial, "TapeAlert 20: cleaning required", "2026-01-01T02:00:00+00:00", "2026-01-01T02:00:00+00:00"))
db.close()
PY
for night in 1 2; do
  rc=0; out=$($cli clean --if-needed --all --json) || rc=$?
  [ "$rc" = 84 ] || { echo "night $night: clean --if-needed with an empty cleaner slot exited $rc, expected 84: $out"; exit 1; }
done
rc=0; $cli clean --if-needed --all --dry-run >/dev/null || rc=$?
[ "$rc" = 91 ] || { echo "dry run with a remembered request: exit $rc, expected 91"; exit 1; }
[ "$($cli status --json | json '[e["needsCleaning"]["since"] for e in d["elements"] if e["type"]=="dataTransfer" and e["drive"]==1][0]')" = 2026-01-01T02:00:00+00:00 ]
echo "remembered request for drive 1 ($serial1): two failed nights (84), dry run 91, status marks it"
op=$($cli cleaner inject --cleans 5 --json | json 'd["operation"]')
wait_op "$op" waiting-for-operator
tools/tgt-library.sh insert 11 CLN00002 >/dev/null      # tgt has no ImpExp bit: a cartridge that appears counts
wait_op "$op" passed
[ "$($cli status --json | json '[e["barcode"] for e in d["elements"] if e["address"]==1005][0]')" = CLN00002 ]
# The cleaning watches the drive: its iSCSI LUN is found by serial, polled with TEST UNIT READY until the cycle ends,
# then its TapeAlert page is read (the --verbose log names the drive's device and each drive command).
trace=$($cli --verbose clean 0 --wait 2>&1 >/dev/null)
drive_uri=$(echo "$trace" | sed -n 's/^# drive \(iscsi:\/\/.*\/[0-9][0-9]*\)$/\1/p' | awk 'NR == 1')
[ -n "$drive_uri" ] || { echo "the cleaning did not open the drive over iscsi:"; echo "$trace"; exit 1; }
echo "$trace" | sed -n "/^# drive /,\$p" | grep -c '> TEST UNIT READY: cdb 00 00 00 00 00 00' >/dev/null || { echo "no TEST UNIT READY to the drive:"; echo "$trace"; exit 1; }
echo "$trace" | sed -n "/^# drive /,\$p" | grep -c '> LOG SENSE' >/dev/null || { echo "no LOG SENSE (TapeAlert) to the drive:"; echo "$trace"; exit 1; }
# TapeAlert: the supported log pages (00h) first, for the response page 12h that leaves the flags set; tgt's tape LU
# has no LOG SENSE, so the read falls back to page 2Eh (refused too: no TapeAlert on tgt) and the cleaning still passes.
drive_log=$(echo "$trace" | sed -n "/^# drive /,\$p" | grep '> LOG SENSE' | cut -c1-60)
echo "$drive_log" | grep -q '> LOG SENSE page 00h' || { echo "no LOG SENSE page 00h to the drive:"; echo "$trace"; exit 1; }
echo "$drive_log" | grep -q '> LOG SENSE page 2Eh' || { echo "no fallback to LOG SENSE page 2Eh:"; echo "$trace"; exit 1; }
if echo "$drive_log" | grep -q '> LOG SENSE page 12h'; then echo "page 12h read although tgt does not list it:"; echo "$trace"; exit 1; fi
$cli clean --if-needed --all --wait --json | json 'd["result"]' | grep -qx ERROR_SUCCESS     # cleans drive 1, the one remembered
[ "$($cli cleaner status --json | json 'd["cleansLeft"]')" = 3 ]
[ "$($cli cleaner status --json | json 'len(d["pendingCleaning"])')" = 0 ]
[ "$($cli cleaner status --json | json 'len(d["history"]["'"$serial1"'"])')" = 1 ]
$cli clean --if-needed --all --dry-run >/dev/null
# Both cleanings record the drive they watched, not the profile's fixed time.
$cli cleaner status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
outcomes = [h["outcome"] for hs in d["history"].values() for h in hs]
assert len(outcomes) == 2 and all("(watched iscsi://" in o for o in outcomes), outcomes
print("cleanings watched their drives:", outcomes)'
echo "cleaning polled drive 0 at $drive_uri"
op=$($cli cleaner eject --json | json 'd["operation"]')
wait_op "$op" waiting-for-operator
ie=$($cli operations "$op" --json | json 'd["operation"]["progress"]' | grep -oE 'element [0-9]+' | grep -oE '[0-9]+')
tools/tgt-library.sh remove "$ie" >/dev/null
wait_op "$op" passed
$cli cleaner release >/dev/null
# The state database holds what the cycle did: it checks whole, two cleanings in the history, the journal's four
# operations (inject, clean, clean, eject), no reservation or request left, and the device index naming this library.
$cli db check >/dev/null
$cli db check --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
t = d["tables"]
assert d["integrityOk"] and d["schemaVersion"] >= 3, d
assert t["cleaning_history"] == 2 and t["cleaner_operations"] == 4 and t["cleaner_reservations"] == 0 and t["pending_cleanings"] == 0, t
assert t["device_index"] == 1 and t["libraries"] == 1, t
print("state database:", d["path"], "integrity ok, schema", d["schemaVersion"], t)'
echo "cleaner cycle over iscsi: ok"
rm -rf "$state"
