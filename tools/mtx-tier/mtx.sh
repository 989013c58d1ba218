# mtx tier, part 1: Debian's mtx vs tapechanger mtx (sourced by tools/mtx-tier.sh).
# shellcheck shell=bash

echo "== mtx status, byte for byte, across states changed by either tool"
same_status "start"
same_status "start (nobarcode)" nobarcode
run real "$work/ri" inquiry; run tc "$work/ti" inquiry
cmp -s "$work/ri.out" "$work/ti.out" || fail "inquiry differs"
pair "load 1 0" "unload 1 0"
pair "load 2 1" "unload 2 1"
pair "transfer 3 6" "transfer 6 3"
pair "transfer 4 12" "transfer 12 4"
pair "transfer 11 7" "transfer 7 11"
step real load 3 0
step tc load 2 1
pair "unload" "load 3 0"
pair "unload 3 0 load 4 0" "unload 4 0 load 3 0"
pair "next" "previous"
step tc transfer 11 9
step real unload 5 1
step tc unload
same_status "moves (nobarcode)" nobarcode

echo "== errors: same exit status and first stderr line"
# Here: slots 1 A1, 3 A3, 4 A4, 5 A2, 9 IEA00001, 10 CLN00001; 2, 6-8, 11, 12 empty; both drives empty.
step real load 1 0
same_error load 6 1          # empty slot: mtx prints its progress, then the library's 3B/0E
same_error load 3 0          # drive 0 full
same_error unload 2 1        # drive 1 empty
same_error unload 3 0        # slot 3 full
same_error load 99 0         # no such slot
same_error load 3 7          # no such drive
same_error unload 99 0
same_error transfer 1 99
same_error transfer 6 7      # empty source
same_error transfer 3 4      # full destination
same_error eepos 5
same_error frobnicate
same_outcome position 2
same_outcome exchange 1 3       # tgt answers EXCHANGE MEDIUM with 05/20/00: the full Request Sense report
same_outcome inventory
same_outcome inquiry
run real "$work/re" eject; run tc "$work/te" eject
cmp -s "$work/re.err" "$work/te.err" || { diff "$work/re.err" "$work/te.err" >&2; fail "eject's Request Sense report differs"; }
echo "  same Request Sense report: eject (tgt answers 05/20/00)"
set +e
LD_PRELOAD=$so /usr/sbin/mtx -f "$work/no-such-device" status > /dev/null 2> "$work/re.err"; rrc=$?
"$TC" mtx -f "$work/no-such-device" status > /dev/null 2> "$work/te.err"; trc=$?
set -e
[ "$rrc" = "$trc" ] && cmp -s "$work/re.err" "$work/te.err" || fail "missing device: $rrc '$(cat "$work/re.err")' vs $trc '$(cat "$work/te.err")'"
echo "  same error (exit $rrc): missing device -> $(cat "$work/re.err")"
step tc unload 1 0

echo "== the link named mtx is mtx"
"$work/bin/mtx" -f "$uri" status | norm "$uri" > "$work/link.status"
real status | norm "$dev" > "$work/r.status"
cmp -s "$work/link.status" "$work/r.status" || fail "the mtx link's status differs"
echo "  the mtx link prints the same status"
