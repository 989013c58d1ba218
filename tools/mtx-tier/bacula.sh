# mtx tier, part 2: Bacula's own /etc/bacula/scripts/mtx-changer (package bacula-sd) on both (sourced by
# tools/mtx-tier.sh). Real mtx runs the installed script as it is; TapeChanger runs a copy whose only change is the
# MTX= line, pointing at the link named mtx. Slot queries must answer identically; load, unload and transfer go
# through TapeChanger.
# The tgt drives have no st device node here (no kernel initiator), so the script's wait_for_drive (`mt -f DEV
# status | grep ONLINE`, up to 300 s) is given an `mt` that reports a ready drive: test scaffolding, used for both.
# shellcheck shell=bash

echo "== Bacula mtx-changer: answers identical with mtx and with TapeChanger"
script=/etc/bacula/scripts/mtx-changer
[ -x "$script" ] || fail "$script missing (bacula-sd not installed)"
sed "s|^MTX=.*|MTX=$work/bin/mtx|" "$script" > "$work/mtx-changer"
chmod +x "$work/mtx-changer"
[ "$(diff "$script" "$work/mtx-changer" | grep -c '^[<>]')" = 2 ] || fail "the copy must differ from mtx-changer in its MTX= line only"
mkdir -p "$work/mt"
# mtx-changer greps `mt --version` for mt-st to choose its readiness word (ONLINE for mt-st).
printf '#!/bin/sh\ncase "$1" in --version) echo "mt-st v. 1.4" ;; *) echo "General status bits on (41010000): BOT ONLINE IM_REP_EN" ;; esac\n' > "$work/mt/mt"
chmod +x "$work/mt/mt"

bacula_real() { PATH=$work/mt:$PATH LD_PRELOAD=$so "$script" "$dev" "$@"; }
bacula_tc() { PATH=$work/mt:$PATH "$work/mtx-changer" "$uri" "$@"; }

same_answer() {   # same_answer CMD [SLOT ARCHIVE DRIVE]
  run bacula_real "$work/br" "$@"; run bacula_tc "$work/bt" "$@"
  for s in out err rc; do
    cmp -s "$work/br.$s" "$work/bt.$s" || { diff "$work/br.$s" "$work/bt.$s" >&2; fail "mtx-changer $* ($s) differs"; }
  done
  checks=$((checks + 1))
  echo "  same: mtx-changer $* -> $(tr '\n' ' ' < "$work/br.out" | cut -c1-100)"
}

changer_ok() {   # changer_ok CMD SLOT ARCHIVE DRIVE: through TapeChanger, must succeed
  run bacula_tc "$work/bo" "$@"
  [ "$(cat "$work/bo.rc")" = 0 ] || fail "mtx-changer $* through TapeChanger: exit $(cat "$work/bo.rc"): $(cat "$work/bo.out" "$work/bo.err")"
  echo "  ok through TapeChanger: mtx-changer $*"
}

all_answers() {
  same_answer slots
  same_answer list 0 /dev/nst0 0
  same_answer listall 0 /dev/nst0 0
  same_answer loaded 0 /dev/nst0 0
  same_answer loaded 0 /dev/nst0 1
}

all_answers
changer_ok load 3 /dev/nst0 0
changer_ok load 4 /dev/nst0 1
same_status "mtx-changer load"
all_answers
changer_ok transfer 1 8
changer_ok transfer 9 12
same_status "mtx-changer transfer"
all_answers
same_answer load 6 /dev/nst0 1       # into a full drive: mtx's message, exit 1, no retry (no "Error Code=")
changer_ok unload 4 /dev/nst0 1
changer_ok unload 3 /dev/nst0 0
same_status "mtx-changer unload"
all_answers
same_answer load 7 /dev/nst0 0       # empty slot
same_answer unload 3 /dev/nst0 0     # empty drive
changer_ok transfer 8 1
changer_ok transfer 12 9

echo "== tapechanger bacula-changer: the same answers without the script"
native() { "$TC" bacula-changer "$uri" "$@"; }
same_native() {   # same_native CMD ARGS...: native answer vs the real script's (listall: the script keeps mtx's padding)
  run bacula_real "$work/br" "$@"; run native "$work/bn" "$@" --with-cleaners
  if [ "$1" = listall ]; then
    sed -i 's/[[:space:]]*$//' "$work/br.out"
  fi
  for s in out rc; do
    cmp -s "$work/br.$s" "$work/bn.$s" || { diff "$work/br.$s" "$work/bn.$s" >&2; fail "bacula-changer $* ($s) differs from mtx-changer"; }
  done
  checks=$((checks + 1))
  echo "  same: bacula-changer $*"
}
native_answers() {
  same_native slots
  same_native list 0 /dev/nst0 0
  same_native listall 0 /dev/nst0 0
  same_native loaded 0 /dev/nst0 0
  same_native loaded 0 /dev/nst0 1
}
native_answers
run native "$work/bn" list 0 /dev/nst0 0
grep -q CLN00001 "$work/bn.out" && fail "bacula-changer list offers the cleaner: $(cat "$work/bn.out")"
echo "  bacula-changer list leaves the cleaner out"
run native "$work/bn" load 3 /dev/nst0 0 --ready-timeout 30
[ "$(cat "$work/bn.rc")" = 0 ] || fail "bacula-changer load: $(cat "$work/bn.out" "$work/bn.err")"
[ "$(cat "$work/bn.out")" = "Loading media from Storage Element 3 into drive 0...done" ] || fail "bacula-changer load printed: $(cat "$work/bn.out")"
grep -q "cannot be reached" "$work/bn.err" && fail "bacula-changer load did not find tgt's drive LUN by serial: $(cat "$work/bn.err")"
echo "  bacula-changer load 3 into drive 0, then TEST UNIT READY on the drive's LUN answered GOOD"
native_answers
run native "$work/bn" load 4 /dev/nst0 0
[ "$(cat "$work/bn.rc")" = 1 ] && grep -q "^Drive 0 Full (Storage Element 3 loaded)" "$work/bn.out" || fail "bacula-changer load into a full drive: $(cat "$work/bn.out")"
run native "$work/bn" unload 3 /dev/nst0 0
[ "$(cat "$work/bn.rc")" = 0 ] || fail "bacula-changer unload: $(cat "$work/bn.out" "$work/bn.err")"
run native "$work/bn" transfer 3 6
[ "$(cat "$work/bn.rc")" = 0 ] || fail "bacula-changer transfer: $(cat "$work/bn.err")"
native_answers
run native "$work/bn" transfer 6 3
same_status "bacula-changer moves"
