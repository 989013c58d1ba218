#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mkdir -p /run /tmp /var/lib/iscsi/nodes /var/lib/iscsi/send_targets /var/lib/iscsi/ifaces /run/lock/iscsi /var/lock
log() { echo "@@KT-LOG [$(cut -d' ' -f1 /proc/uptime)s] $*"; }
fail() { log "SETUP-FAIL $*"; echo "@@KT-SETUP-FAIL $*"; poweroff -f; }
for w in $(cat /proc/cmdline); do
  case "$w" in kt.port=*) PORT=${w#kt.port=};; kt.iqn=*) IQN=${w#kt.iqn=};; kt.cli=*) CLI=${w#kt.cli=};; kt.tests=*) TESTS=${w#kt.tests=};;
    kt.bench=*) BENCH=${w#kt.bench=};; kt.benchscript=*) BENCHSCRIPT=${w#kt.benchscript=};;
    kt.hello=*) HELLO=${w#kt.hello=};; kt.floor=*) FLOOR=${w#kt.floor=};; kt.floorranges=*) FLOOR_RANGES=${w#kt.floorranges=};; esac
done
while read -r m; do insmod "$m" 2>/dev/null || log "insmod $m failed"; done </modules.list
ip link set lo up; ip link set eth0 up || fail "no eth0"
ip addr add 10.0.2.15/24 dev eth0; ip route add default via 10.0.2.2
iscsid || fail "iscsid did not start"
log "iscsid up; logging in to $IQN at 10.0.2.2:$PORT"
# No SendTargets discovery: tgt would advertise 127.0.0.1, the guest's own loopback.
iscsiadm -m node -T "$IQN" -p "10.0.2.2:$PORT" -o new >/dev/null || fail "iscsiadm -o new"
i=0; until iscsiadm -m node -T "$IQN" -p "10.0.2.2:$PORT" --login >/tmp/login.log 2>&1; do
  i=$((i+1)); [ $i -ge 10 ] && { cat /tmp/login.log; fail "iSCSI login"; }; sleep 1
done
SG=""; TAPESG=""; i=0
while [ -z "$SG" ] && [ $i -lt 300 ]; do
  for d in /sys/class/scsi_generic/sg*; do
    [ -r "$d/device/type" ] || continue
    case "$(cat "$d/device/type")" in 8) SG=/dev/${d##*/};; 1) TAPESG=${TAPESG:-/dev/${d##*/}};; esac
  done
  [ -z "$SG" ] && { sleep 0.1; i=$((i+1)); }
done
[ -n "$SG" ] || fail "no changer (type 8) under /sys/class/scsi_generic after login"
for d in /sys/class/scsi_generic/sg*; do
  log "$(basename "$d") type $(cat "$d/device/type") $(cat "$d/device/vendor") $(cat "$d/device/model") $(ls "$d/device/scsi_changer" "$d/device/scsi_tape" 2>/dev/null | tr '\n' ' ')"
done
log "changer at $SG (tape sg $TAPESG); reserved $(cat /proc/scsi/sg/def_reserved_size 2>/dev/null) bytes"
mkdir -p /host
# The benchmark keeps what it reads from the host in the guest's page cache (cache=loose; the host's / is read-only
# here), so that a binary's pages are read over 9p once and not on every start.
NINEP_CACHE=""; [ -n "$BENCH" ] && NINEP_CACHE=",cache=loose"
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=524288$NINEP_CACHE host /host || fail "9p mount of the host /"
mount --bind /dev /host/dev; mount -t proc proc /host/proc; mount -t sysfs sys /host/sys; mount -t tmpfs tmp /host/run
step() {
  name=$1; shift
  s=$(cut -d' ' -f1 /proc/uptime)
  chroot /host /usr/bin/env -i HOME=/run PATH=/usr/bin:/bin TAPECHANGER_STATE_DIR=/run/tc "$CLI" --state-dir /run/tc "$@" \
    >/tmp/out 2>/tmp/err
  rc=$?
  e=$(cut -d' ' -f1 /proc/uptime)
  echo "@@KT-BEGIN $name rc=$rc t0=$s t1=$e args=$*"
  echo "@@KT-STDOUT"; cat /tmp/out; echo; echo "@@KT-STDERR"; cat /tmp/err; echo
  echo "@@KT-END $name"
}
# The reference: mtx (from the host, over the same sg node) for the same library state.
rawstep() {
  name=$1; shift
  s=$(cut -d' ' -f1 /proc/uptime)
  chroot /host /usr/bin/env -i HOME=/run PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@" >/tmp/out 2>/tmp/err
  rc=$?
  e=$(cut -d' ' -f1 /proc/uptime)
  echo "@@KT-BEGIN $name rc=$rc t0=$s t1=$e args=$*"
  echo "@@KT-STDOUT"; cat /tmp/out; echo; echo "@@KT-STDERR"; cat /tmp/err; echo
  echo "@@KT-END $name"
}
if [ -n "$BENCH" ]; then
  # tools/kernel-tier.sh KT_BENCH=n: only the timings (tools/guest/bench-status.py), then power off.
  log "benchmark: $BENCH rounds of mtx and $CLI over $SG"
  chroot /host /usr/bin/env -i HOME=/run PATH=/usr/sbin:/usr/bin:/sbin:/bin TMPDIR=/run TAPECHANGER_STATE_DIR=/run/tc \
    python3 "$BENCHSCRIPT" "$BENCH" "$SG" "$CLI" ${HELLO:+--hello "$HELLO"} ${FLOOR:+--floor "$FLOOR" --floor-ranges "$FLOOR_RANGES"}
  echo "@@KT-DONE"
  poweroff -f
fi
log "running $CLI --device sg:$SG"
D="--device sg:$SG"
step status            $D status --json
rawstep mtx-status     mtx -f $SG status
step tc-mtx-status     mtx -f $SG status
# The same library through our userspace iSCSI initiator (a second session next to the kernel's), for the mtx comparison.
step status-iscsi      --device "iscsi://10.0.2.2:$PORT/$IQN/3" status --json
step inquiry           $D inquiry --json
step list              list --json
step load              $D --trace load 1 0
step status-loaded     $D status --json
rawstep mtx-loaded     mtx -f $SG status
step tc-mtx-loaded     mtx -f $SG status
step unload            $D unload 1 0
step transfer          $D --trace transfer 2 6
step status-moved      $D status --json
step transfer-back     $D transfer 6 2
step load-empty-slot   $D load 7 0
rawstep mtx-load-empty mtx -f $SG load 7 0
step tc-mtx-load-empty mtx -f $SG load 7 0
# Eject before unload over sg: a profile override (in the CLI's default config directory, HOME=/run) asks for it, and
# the drive is found as the tape whose sysfs VPD 80h serial equals its DVCID serial.
step load-for-eject    $D load 3 0
mkdir -p /host/run/.config/tapechanger/hw-profiles
echo '{"name": "kt-eject", "match": {"vendor": "^IET$", "product": "^VIRTUAL-CHANGER$"}, "priority": 100, "ejectBeforeUnload": true, "sources": {"match": "kernel tier: tgt identity", "ejectBeforeUnload": "kernel tier: exercises the sg eject path"}}' \
  > /host/run/.config/tapechanger/hw-profiles/kt-eject.json
step unload-eject      $D --verbose unload 3 0
rm -rf /host/run/.config
step missing-device    --device sg:/dev/sg99 status
[ -n "$TAPESG" ] && step not-a-changer --device "sg:$TAPESG" status
# The device-agnostic conformance suite (JIT, the host's dotnet) over the same sg node; every test puts back what it
# moves, so status-final below also checks that the suite left the initial layout.
if [ -n "$TESTS" ]; then
  mkdir -p /host/run/home /host/run/tmp
  # dotnet keeps named mutexes under /tmp/.dotnet/shm whatever TMPDIR says: a writable overlay keeps the host's /tmp
  # visible (KT_CLI or the test assembly may live there) while writes go to guest memory.
  mkdir -p /ovl; mount -t tmpfs ovl /ovl; mkdir -p /ovl/upper /ovl/work
  mount -t overlay overlay -o lowerdir=/host/tmp,upperdir=/ovl/upper,workdir=/ovl/work /host/tmp \
    || log "overlay on /host/tmp failed; dotnet may not find a writable /tmp"
  s=$(cut -d' ' -f1 /proc/uptime)
  chroot /host /usr/bin/env -i HOME=/run/home DOTNET_CLI_HOME=/run/home TMPDIR=/run/tmp PATH=/usr/bin:/bin \
    DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 DOTNET_TieredPGO=0 \
    TAPECHANGER_TEST_DEVICE="sg:$SG" /bin/sh -c 'cd /run/tmp && exec dotnet test "$0" --filter "$1" \
      --logger "console;verbosity=normal" --results-directory /run/tmp/results' \
    "$TESTS" "FullyQualifiedName~ChangerConformanceTests" >/tmp/out 2>/tmp/err
  rc=$?
  e=$(cut -d' ' -f1 /proc/uptime)
  echo "@@KT-BEGIN conformance rc=$rc t0=$s t1=$e args=dotnet test $TESTS (TAPECHANGER_TEST_DEVICE=sg:$SG)"
  echo "@@KT-STDOUT"; cat /tmp/out; echo; echo "@@KT-STDERR"; cat /tmp/err; echo
  echo "@@KT-END conformance"
fi
# A cleaning over sg: the cleaner in slot 5 adopted into a reserved slot, then drive 0 cleaned. The cleaner finds the
# drive's sg node by its sysfs VPD 80h serial, polls it with TEST UNIT READY until the cycle ends and reads its
# TapeAlert log; the --verbose log names the drive's device before its commands. The cleaner goes back to slot 5.
step cleaner-adopt     $D cleaner reserve 5 --adopt --cleans 3
step clean-sg          $D --verbose clean 0 --wait
step status-final      $D status --json
step status-verbose    $D --verbose status
echo "@@KT-DONE"
log "done"
poweroff -f
