# Helpers for the mtx tier (sourced by tools/mtx-tier.sh, which sets root so work uri dev TC SGBRIDGE_MAP).
# shellcheck shell=bash

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

same_outcome() {   # same_outcome WORDS...: same exit status, stdout and stderr, whether the command works or not
  run real "$work/re" "$@"; run tc "$work/te" "$@"
  for s in rc out err; do
    cmp -s "$work/re.$s" "$work/te.$s" || { diff "$work/re.$s" "$work/te.$s" >&2; fail "'$*' $s differs"; }
  done
  checks=$((checks + 1))
  echo "  same outcome (exit $(cat "$work/re.rc")): $* $(head -n 1 "$work/re.err")"
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

