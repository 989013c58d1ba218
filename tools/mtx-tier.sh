#!/usr/bin/env bash
# mtx tier: Debian's real mtx 1.3.12 against `tapechanger mtx` on one tgt library, byte for byte, then the backup
# programs' own changer scripts on both (Bacula's mtx-changer; Amanda's chg-robot). Real mtx reaches tgt through
# tools/sgbridge (an LD_PRELOAD shim answering SG_IO on a mapped file from the iSCSI LUN); TapeChanger speaks
# iscsi:// itself. The header line names the device, which differs (a mapped file vs the URI), so it is compared
# with the device name replaced; every other byte is compared as is.
#   tools/mtx-tier.sh            needs root (tgtd, apt-get), a built Release CLI; uses artifacts/aot/tapechanger
#                                (tools/publish-aot.sh) when present, else the Release dll
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
need=""
for p in tgt mtx bacula-sd mt-st; do dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"; done
if [ -n "$need" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
so=$(tools/sgbridge/build.sh | tail -n 1)

work=$(mktemp -d /tmp/tapechanger-mtx-tier.XXXXXX)
export TGT_STATE_FILE=$work/tgt.state TAPECHANGER_STATE_DIR=$work/state
cleanup() { tools/tgt-library.sh stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

# The TapeChanger binary, also reachable as a link named mtx (the drop-in form scripts use).
mkdir -p "$work/bin"
if [ -x artifacts/aot/tapechanger ]; then
  ln -s "$root/artifacts/aot/tapechanger" "$work/bin/tapechanger"
else
  printf '#!/bin/sh\nexec dotnet "%s" "$@"\n' "$root/src/TapeChanger.Cli/bin/Release/net10.0/tapechanger.dll" > "$work/bin/tapechanger"
  chmod +x "$work/bin/tapechanger"
fi
if [ -x artifacts/aot/tapechanger ]; then
  ln -s "$root/artifacts/aot/tapechanger" "$work/bin/mtx"
else
  printf '#!/bin/sh\nexec dotnet "%s" mtx "$@"\n' "$root/src/TapeChanger.Cli/bin/Release/net10.0/tapechanger.dll" > "$work/bin/mtx"
  chmod +x "$work/bin/mtx"
fi
TC=$work/bin/tapechanger

# tgt-library.sh defaults: slots 1000-1009 (A0000001-4 in 1-4, CLN00001 in 10), IE 10-11 (mtx slots 11-12), drives 500-501.
uri=$(TGT_IE_MEDIA="10:IEA00001" tools/tgt-library.sh start | tail -n 1)
dev=$work/changer
touch "$dev"
export SGBRIDGE_MAP="$dev=$uri"

real() { LD_PRELOAD=$so /usr/sbin/mtx -f "$dev" "$@"; }
tc() { "$TC" mtx -f "$uri" "$@"; }
# The header's device name is the only byte allowed to differ.
norm() { python3 -c 'import sys; d=sys.argv[1]; s=sys.stdin.buffer.read().decode("latin-1"); sys.stdout.buffer.write(s.replace("Storage Changer "+d+":", "Storage Changer DEV:", 1).encode("latin-1"))' "$1"; }

fail() { echo "mtx-tier: FAIL: $*" >&2; exit 1; }
checks=0

same_status() {   # same_status LABEL [mtx words before status]
  real "${@:2}" status | norm "$dev" > "$work/r.status"
  tc "${@:2}" status | norm "$uri" > "$work/t.status"
  if ! cmp -s "$work/r.status" "$work/t.status"; then
    diff "$work/r.status" "$work/t.status" | head -20 >&2
    fail "status differs after $1"
  fi
  checks=$((checks + 1))
}

run() {   # run TOOL OUTFILE WORDS...: stdout to OUTFILE.out, stderr to OUTFILE.err, exit status to OUTFILE.rc
  local tool=$1 out=$2; shift 2
  set +e; "$tool" "$@" > "$out.out" 2> "$out.err"; echo $? > "$out.rc"; set -e
}

# pair A B: real does A, TapeChanger undoes it with B, TapeChanger does A, real undoes it with B. The outputs of A
# (and of B) must match byte for byte, and the status after every step.
pair() {
  local a=$1 b=$2
  run real "$work/ra" $a; [ "$(cat "$work/ra.rc")" = 0 ] || fail "real mtx $a: $(cat "$work/ra.err")"
  same_status "real mtx $a"
  run tc "$work/tb" $b; same_status "tapechanger mtx $b"
  run tc "$work/ta" $a; same_status "tapechanger mtx $a"
  run real "$work/rb" $b; same_status "real mtx $b"
  for x in a b; do
    for s in out err rc; do
      cmp -s "$work/r$x.$s" "$work/t$x.$s" || { diff "$work/r$x.$s" "$work/t$x.$s" >&2; fail "'$( [ $x = a ] && echo "$a" || echo "$b")' $s differs"; }
    done
  done
  echo "  same: $a / $b"
}

step() {   # step TOOL WORDS...: one state change by either tool, then the statuses must agree
  local tool=$1; shift
  run "$tool" "$work/s" "$@"
  [ "$(cat "$work/s.rc")" = 0 ] || fail "$tool mtx $*: $(cat "$work/s.err")"
  same_status "$tool mtx $*"
  echo "  same status after $tool: $*"
}

same_error() {   # same_error WORDS...: same exit status, same stdout, same stderr (first line reported)
  run real "$work/re" "$@"; run tc "$work/te" "$@"
  [ "$(cat "$work/re.rc")" = "$(cat "$work/te.rc")" ] || fail "'$*' exit $(cat "$work/re.rc") (mtx) vs $(cat "$work/te.rc")"
  cmp -s "$work/re.out" "$work/te.out" || fail "'$*' stdout differs: $(cat "$work/re.out") / $(cat "$work/te.out")"
  [ "$(head -n 1 "$work/re.err")" = "$(head -n 1 "$work/te.err")" ] || fail "'$*' first stderr line: '$(head -n 1 "$work/re.err")' vs '$(head -n 1 "$work/te.err")'"
  cmp -s "$work/re.err" "$work/te.err" || { diff "$work/re.err" "$work/te.err" >&2; fail "'$*' stderr differs after the first line"; }
  [ "$(cat "$work/re.rc")" != 0 ] || fail "'$*' was expected to fail"
  checks=$((checks + 1))
  echo "  same error (exit $(cat "$work/re.rc")): $* -> $(head -n 1 "$work/re.err")"
}

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
echo "mtx tier (mtx): $checks byte-for-byte comparisons passed"
