#!/usr/bin/env bash
# Wine tier: the unmodified self-contained win-x64 CLI runs under Debian's wine64 and drives a tgt library through
# Windows SCSI pass-through (spt:\\.\Changer0). Wine 8 turns IOCTL_SCSI_PASS_THROUGH(_DIRECT) on a character device
# into a Linux SG_IO (wine-mirror/wine dlls/ntdll/unix/cdrom.c, CDROM_ScsiPassThrough*); there is no sg node here, so
# tools/sgbridge (LD_PRELOAD) answers that SG_IO from tgt's changer LUN over iSCSI. Debian's mtx, through the same
# bridge, checks the library after every move, and Wine's own trace (WINEDEBUG=trace+cdrom) shows which IOCTL ran.
# Needs root (tgtd, mknod). Installs wine64, tgt and mtx when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)

missing=""
command -v tgtd >/dev/null 2>&1 || missing="$missing tgt"
command -v mtx >/dev/null 2>&1 || missing="$missing mtx"
[ -x /usr/lib/wine/wine64 ] || missing="$missing wine64"
if [ -n "$missing" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
WINE=/usr/lib/wine/wine64

pub=$PWD/artifacts/win-x64
dotnet publish src/TapeChanger.Cli -c Release -r win-x64 --self-contained true -o "$pub" -nologo -v quiet
test -f "$pub/tapechanger.exe"
bridge=$(tools/sgbridge/build.sh | tail -n 1)
linux_cli="dotnet $PWD/src/TapeChanger.Cli/bin/Release/net10.0/tapechanger.dll"

work=$(mktemp -d /tmp/tapechanger-wine.XXXXXX)
export TGT_STATE_FILE=$work/tgt.state
export WINEPREFIX=$work/prefix WINEDEBUG=-all
cleanup() {
  /usr/lib/wine/wineserver64 -k 2>/dev/null || true
  tools/tgt-library.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "wine tier: $*" >&2; exit 1; }

uri=$(tools/tgt-library.sh start | tail -n 1)
"$WINE" wineboot -i >/dev/null 2>&1
# \\.\Changer0 is whatever dosdevices/changer0 links to; Wine's cdrom ioctls want a device node (any will do: the
# bridge answers every sg ioctl on this path, matched through /proc/self/fd, so /dev/null's driver never sees one).
mknod "$work/changer0" c 1 3
ln -s "$work/changer0" "$WINEPREFIX/dosdevices/changer0"
# \\.\Tape0 is tgt's drive 0 (LUN 1): the spt: drive locator probes \\.\Tape0..\\.\Tape31 through the same
# pass-through and pairs it with drive element 500 by its VPD 80h serial, so a cleaning polls it.
mknod "$work/tape0" c 1 3
ln -s "$work/tape0" "$WINEPREFIX/dosdevices/tape0"
export SGBRIDGE_MAP="$work/changer0=$uri;$work/tape0=${uri%/*}/1"
programdata="$WINEPREFIX/drive_c/ProgramData/TapeChanger"

# tc ARGS...: the Windows CLI on \\.\Changer0 (state in the default place, %ProgramData%\TapeChanger)
tc() { LD_PRELOAD=$bridge "$WINE" "$pub/tapechanger.exe" --device 'spt:\\.\Changer0' "$@"; }
# mtx_is 'D0=A0000001 S1=- ...': Debian's mtx (not our code) reads the same library through the same bridge
mtx_is() {
  local out
  out=$(LD_PRELOAD=$bridge mtx -f "$work/changer0" status)
  python3 - "$out" "$1" <<'PY' || { echo "$out" >&2; fail "mtx disagrees (wanted $1)"; }
import re, sys
state = {}
for line in sys.argv[1].splitlines():
    m = re.match(r"\s*(Data Transfer|Storage) Element (\d+)(?: IMPORT/EXPORT)?:(Empty|Full)(?:.*VolumeTag ?= ?(\S+))?", line)
    if m:
        state[("D" if m.group(1) == "Data Transfer" else "S") + m.group(2)] = (m.group(4) or "?") if m.group(3) == "Full" else "-"
for want in sys.argv[2].split():
    k, v = want.split("=")
    if state.get(k) != v:
        sys.exit(f"{k}: mtx says {state.get(k)}, expected {v}")
PY
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# ioctls LOGFILE: the pass-through IOCTLs Wine saw, in order, one letter each (D direct, B buffered)
ioctls() { grep -oE 'IOCTL_SCSI_PASS_THROUGH(_DIRECT)? ' "$1" | sed -e 's/IOCTL_SCSI_PASS_THROUGH_DIRECT /D/' -e 's/IOCTL_SCSI_PASS_THROUGH /B/' | tr -d '\n'; }

echo "== list: \\\\.\\Changer0 found; Wine has no storage descriptor, so vendor/product/serial come from INQUIRY and VPD 80h"
tc list | grep -qF 'spt:\\.\Changer0' || fail "list does not show spt:\\\\.\\Changer0"
listing=$(tc list --json)
python3 - "$listing" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
c = [x for x in d["devices"] if x["uri"] == "spt:\\\\.\\Changer0"]
assert len(c) == 1, d
c = c[0]
assert (c["vendor"], c["product"], c["revision"], c["serial"]) == ("STK", "L700", "0108", "XYZZY_A"), c
assert c["note"] == "available", c
print("list --json: STK L700 0108 serial XYZZY_A on spt:\\\\.\\Changer0")
PY
set +e; err=$(LD_PRELOAD=$bridge "$WINE" "$pub/tapechanger.exe" --device 'spt:\\.\Changer3' status 2>&1 >/dev/null); rc=$?; set -e
[ "$rc" = 69 ] || fail "missing \\\\.\\Changer3: exit $rc, expected 69 ($err)"
[ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && printf '%s' "$err" | grep -qF 'Changer3 not found' || fail "missing changer error is not one line: $err"
echo "missing \\\\.\\Changer3: exit 69, '$err'"

echo "== status over spt: (the power-on unit attention arrives through SenseInfoOffset and is retried)"
trace=$(tc -v status 2>&1 >/dev/null)
echo "$trace" | grep -cE 'sense 70 00 06 00 00 00 00 0a 00 00 00 00 29 00' >/dev/null || { echo "$trace"; fail "no 06/29/00 sense bytes in the trace"; }
echo "$trace" | grep -c 'UNIT ATTENTION 06/29/00' >/dev/null || fail "06/29/00 not decoded"
tc status | grep -q 'STK L700 (rev 0108) on spt:\\\\.\\Changer0' || fail "status header"
tc status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
els = {e["address"]: e for e in d["elements"]}
assert sum(1 for e in els.values() if e["type"] == "storage") == 10
assert sum(1 for e in els.values() if e["type"] == "importExport") == 2
assert sum(1 for e in els.values() if e["type"] == "dataTransfer") == 2
assert [els[a]["barcode"] for a in (1000, 1001, 1002, 1003, 1009)] == ["A0000001", "A0000002", "A0000003", "A0000004", "CLN00001"]
assert els[1009]["cleaner"] and not els[500]["full"]
print("status --json matches the configured library")'
mtx_is "D0=- D1=- S1=A0000001 S2=A0000002 S3=A0000003 S4=A0000004 S5=- S10=CLN00001 S11=- S12=-"

echo "== moves, each confirmed by mtx"
tc load 1 0 >/dev/null;     mtx_is "D0=A0000001 S1=-"
tc unload >/dev/null;       mtx_is "D0=- S1=A0000001"
tc transfer 2 5 >/dev/null; mtx_is "S2=- S5=A0000002"
tools/tgt-library.sh insert 10 OPER0001 >/dev/null
tc import --json | grep -q '"destination": 1001' || fail "import did not go to the first free slot (1001)"
mtx_is "S2=OPER0001 S11=-"
tc export 3 >/dev/null;     mtx_is "S3=- S11=A0000003"
tools/tgt-library.sh remove 10 >/dev/null
echo "load, unload, transfer, import, export: ok"

echo "== CHECK CONDITION through SenseInfoOffset: a command tgt refuses, same outcome as over the Linux iSCSI transport"
# tgt's changer has no POSITION TO ELEMENT: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (05/20/00).
set +e
werr=$(tc position 1 2>&1 >/dev/null); wrc=$?
wtrace=$(tc -v position 1 2>&1 >/dev/null)
lerr=$($linux_cli --device "$uri" --state-dir "$work/linux-state" position 1 2>&1 >/dev/null); lrc=$?
set -e
werr=${werr//$'\r'/}   # Windows console lines end in CR LF
echo "$wtrace" | grep -qE '^  sense 70 00 05 00 00 00 00 [0-9a-f]{2} 00 00 00 00 20 00' || { echo "$wtrace"; fail "no 05/20/00 sense bytes from POSITION TO ELEMENT"; }
[ "$wrc" = "$lrc" ] && [ "$wrc" != 0 ] || fail "exit $wrc under Wine, $lrc over iscsi: ('$werr' / '$lerr')"
[ "${werr//spt:\\\\.\\Changer0/DEV}" = "${lerr//$uri/DEV}" ] || fail "messages differ: '$werr' vs '$lerr'"
echo "refused command: exit $wrc on both, '$werr'"
mtx_is "S1=A0000001 S2=OPER0001"

echo "== direct and buffered IOCTLs (Wine's trace names each one)"
WINEDEBUG=-all,trace+cdrom tc load 1 0 >/dev/null 2>"$work/direct.log"
[[ $(ioctls "$work/direct.log") =~ ^D+$ ]] || fail "default run was not all IOCTL_SCSI_PASS_THROUGH_DIRECT: $(ioctls "$work/direct.log")"
mtx_is "D0=A0000001 S1=-"
TAPECHANGER_SptBufferedOnly=true WINEDEBUG=-all,trace+cdrom tc unload >/dev/null 2>"$work/buffered.log"
[[ $(ioctls "$work/buffered.log") =~ ^B+$ ]] || fail "SptBufferedOnly run used the direct IOCTL: $(ioctls "$work/buffered.log")"
mtx_is "D0=- S1=A0000001"
SGBRIDGE_FAIL_FIRST=1 WINEDEBUG=-all,trace+cdrom tc load 4 1 >/dev/null 2>"$work/fallback.log"
[[ $(ioctls "$work/fallback.log") =~ ^DB+$ ]] || fail "refused direct IOCTL did not fall back once to buffered: $(ioctls "$work/fallback.log")"
mtx_is "D1=A0000004 S4=-"
tc unload 4 1 >/dev/null; mtx_is "D1=- S4=A0000004"
echo "direct: $(ioctls "$work/direct.log" | cut -c1-12)...  buffered only: $(ioctls "$work/buffered.log" | cut -c1-12)...  fall-back: $(ioctls "$work/fallback.log" | cut -c1-12)..."

echo "== a transfer longer than the adapter takes: one line, no crash"
set +e; err=$(SGBRIDGE_MAX_TRANSFER=200 tc status 2>&1 >/dev/null); rc=$?; set -e
[ "$rc" != 0 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] || fail "over-limit transfer: exit $rc, '$err'"
printf '%s' "$err" | grep -qE 'Win32 error 87\); the adapter may not take [0-9]+-byte transfers' || fail "over-limit message: $err"
echo "over-limit: exit $rc, '$err'"

echo "== two Wine processes load into the same drive at once: serialized by the robot lock, cartridges conserved"
full_count() { LD_PRELOAD=$bridge mtx -f "$work/changer0" status | grep -c ':Full'; }
before=$(full_count)
set +e
tc load 1 0 >"$work/a.out" 2>"$work/a.err" & pa=$!
tc load 2 0 >"$work/b.out" 2>"$work/b.err" & pb=$!
wait $pa; ra=$?; wait $pb; rb=$?
set -e
[ "$(( (ra == 0) + (rb == 0) ))" = 1 ] || fail "concurrent loads: exits $ra and $rb, expected exactly one success ($(cat "$work/a.err" "$work/b.err"))"
loser=$([ "$ra" = 0 ] && cat "$work/b.err" || cat "$work/a.err"); loser=${loser//$'\r'/}
# Serialized: the loser read the status after the winner's move and refused before sending a MOVE MEDIUM
# (tgt would answer a blind one with 05/3B/0D, medium destination element full).
printf '%s' "$loser" | grep -q 'full' && ! printf '%s' "$loser" | grep -q '3B/0D' || fail "the second load was not refused on what the first left: $loser"
[ "$(full_count)" = "$before" ] || fail "cartridge count changed: $before before, $(full_count) after"
if [ "$ra" = 0 ]; then mtx_is "D0=A0000001 S1=- S2=OPER0001"; else mtx_is "D0=OPER0001 S2=- S1=A0000001"; fi
tc unload >/dev/null; mtx_is "D0=- S1=A0000001 S2=OPER0001"
echo "concurrent loads: one loaded, the other refused after it ('$loser'); $before cartridges before and after"

echo "== cleaner over spt: reserve, inject via the IE port (operator = tgtadm), clean, eject; state in %ProgramData%"
export TAPECHANGER_CleanerPollMilliseconds=200 TAPECHANGER_CleaningSeconds=2
wait_op() {  # wait_op ID STATE
  local s=""
  for _ in $(seq 1 60); do
    s=$(tc operations "$1" --json | json 'd["operation"]["state"]')
    [ "$s" = "$2" ] && return 0
    sleep 0.5
  done
  tc operations "$1" >&2 || true; fail "operation $1 did not reach $2 (now $s)"
}
tc cleaner reserve 6 >/dev/null
[ -s "$programdata/tapechanger.db" ] || fail "no state database under C:\\ProgramData\\TapeChanger (e_sqlite3.dll under wine)"
# the pipe ends when this command does: the detached worker holds no handle of ours
op=$(tc cleaner inject --cleans 5 --json | json 'd["operation"]')
wait_op "$op" waiting-for-operator
[ -f "$programdata/workers/$op.log" ] || fail "the worker did not open its log C:\\ProgramData\\TapeChanger\\workers\\$op.log"
tools/tgt-library.sh insert 11 CLN00002 >/dev/null
wait_op "$op" passed
mtx_is "S6=CLN00002 S12=-"
tc -v clean 0 --wait --json 2>"$work/clean.trace" | json 'd["result"]' | grep -qx ERROR_SUCCESS || fail "cleaning drive 0"
mtx_is "D0=- S6=CLN00002"
# The cleaning watched the drive over spt:\\.\Tape0: each poll's first drive command is TEST UNIT READY, and the
# TapeAlert log is read (LOG SENSE; tgt refuses it) before the cleaner goes back.
python3 - "$work/clean.trace" <<'PY' || fail "the cleaning did not poll \\\\.\\Tape0 (trace: $work/clean.trace)"
import sys
trace = [l.rstrip("\r") for l in open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()]
polls = [i for i, l in enumerate(trace) if l == "# drive spt:\\\\.\\Tape0"]
assert polls, "no '# drive spt:\\\\.\\Tape0' line"
assert all(trace[i + 1].startswith("> TEST UNIT READY: cdb 00 00 00 00 00 00") for i in polls), "a poll did not start with TEST UNIT READY"
after = trace[polls[-1]:]
end = next((i for i, l in enumerate(after) if l.startswith("> MOVE MEDIUM")), len(after))
assert any(l.startswith("> LOG SENSE") for l in after[:end]), "no LOG SENSE to the drive after the last poll"
print(f"cleaning polled \\\\.\\Tape0 {len(polls)} time(s) with TEST UNIT READY, then LOG SENSE")
PY
tc cleaner status --json | python3 -c '
import json, sys
outcomes = [h["outcome"] for hs in json.load(sys.stdin)["history"].values() for h in hs]
assert any("(watched spt:\\\\.\\Tape0)" in o for o in outcomes), outcomes
print("cleaning history:", outcomes)' || fail "the cleaning history does not name \\\\.\\Tape0"
[ "$(tc cleaner status --json | json 'd["cleansLeft"]')" = 4 ] || fail "cleans left after one cleaning"
op=$(tc cleaner eject --json | json 'd["operation"]')
wait_op "$op" waiting-for-operator
ie=$(tc operations "$op" --json | json 'd["operation"]["progress"]' | grep -oE 'element [0-9]+' | grep -oE '[0-9]+')
mtx_is "S6=-"
tools/tgt-library.sh remove "$ie" >/dev/null
wait_op "$op" passed
tc cleaner release >/dev/null
echo "cleaner cycle over spt: ok"

echo "wine tier: passed in $(( $(date +%s) - t0 )) s"
