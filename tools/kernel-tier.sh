#!/usr/bin/env bash
# Kernel tier: runs the NativeAOT `tapechanger` CLI against the REAL Linux sg driver.
#
#   host: tgtd (private instance) serves an iSCSI target with 2 tape LUNs and an SMC changer LUN on 127.0.0.1:PORT
#   guest: Debian kernel under QEMU TCG, busybox initramfs, in-guest open-iscsi initiator logs in to 10.0.2.2:PORT,
#          the kernel attaches the changer as /dev/sgN (found by device/type == 8), the host / is shared read-only
#          over 9p and the CLI runs chrooted into it: tapechanger --device sg:/dev/sgN status/load/unload/transfer/...
#   host: parses the serial console, checks exit codes and JSON, prints PASS/FAIL per step and a summary.
#
# Exit status: 0 all steps passed, 1 a step failed, 2 setup failed (tgt, boot, iSCSI login, no changer).
#
# Prerequisites (Debian 12 / x86-64 host): qemu-system-x86 linux-image-amd64 busybox-static open-iscsi tgt cpio kmod
# (+ python3 and the .NET 10 SDK). When run as root with any of them missing, the script apt-get installs them.
# Runs as root (tgtd needs /var/run/tgtd). No KVM needed: -accel tcg (KVM does not work on the PVM CI hosts).
#
# Environment knobs:
#   KT_CACHE=dir      cache for the initramfs and the AOT build (default /tmp/tapechanger-kernel-tier)
#   KT_CLI=path       use this tapechanger binary instead of publishing one (must be visible to the guest: any host path)
#   KT_TESTS=path     TapeChanger.Domain.Tests.dll to run in the guest (default: dotnet build it); KT_TESTS=0 skips the
#                     conformance step
#   KT_KERNEL=ver     kernel version under /lib/modules (default: newest with a /boot/vmlinuz-VER)
#   KT_PORT=n         iSCSI port for the private tgtd (default: a free port); KT_TGT_CONTROL=n its -C control number
#   KT_TIMEOUT=s      guest wall-clock limit (default 600; the guest takes ~2 min idle, ~5 min on a busy 2-core host)
#   KT_KEEP=1         keep the work directory (serial log, tgt state)
set -euo pipefail

started=$(date +%s)
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${KT_CACHE:-/tmp/tapechanger-kernel-tier}
work=$(mktemp -d /tmp/kernel-tier.XXXXXX)
iqn=iqn.2026-11.tapechanger:kernel-tier
mkdir -p "$cache"

say() { printf '[kernel-tier %3ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }
die() { say "SETUP FAILED: $*"; exit 2; }

# --- prerequisites -------------------------------------------------------------------------------------------------
need_pkgs=()
for pair in qemu-system-x86_64:qemu-system-x86 tgtd:tgt tgtadm:tgt tgtimg:tgt iscsid:open-iscsi iscsiadm:open-iscsi \
            cpio:cpio modprobe:kmod mtx:mtx; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need_pkgs+=("${pair#*:}")
done
[ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || need_pkgs+=(busybox-static)
ls /boot/vmlinuz-* >/dev/null 2>&1 || need_pkgs+=(linux-image-amd64)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing packages: ${need_pkgs[*]} (run as root to install them)"
  say "installing ${need_pkgs[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(printf '%s\n' "${need_pkgs[@]}" | sort -u) \
    >"$work/apt.log" 2>&1 || { apt-get update >>"$work/apt.log" 2>&1 && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends $(printf '%s\n' "${need_pkgs[@]}" | sort -u) >>"$work/apt.log" 2>&1; } \
    || die "apt-get install failed, see $work/apt.log"
fi
[ "$(id -u)" = 0 ] || die "must run as root (tgtd needs /var/run/tgtd)"
command -v python3 >/dev/null || die "python3 is needed to check the results"

if [ -n "${KT_KERNEL:-}" ]; then kver=$KT_KERNEL; else
  kver=$(for k in /boot/vmlinuz-*; do v=${k#/boot/vmlinuz-}; [ -d "/lib/modules/$v" ] && echo "$v"; done | sort -V | tail -1)
fi
[ -n "$kver" ] && [ -f "/boot/vmlinuz-$kver" ] || die "no kernel with modules found under /boot and /lib/modules"

# --- processes we start, and only those, are stopped on exit -----------------------------------------------------
tgtd_pid=""; qemu_pid=""; tgt_cn=""
cleanup() {
  [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null || true
  if [ -n "$tgtd_pid" ]; then
    tgtadm -C "$tgt_cn" --op delete --mode system >/dev/null 2>&1 || true   # usually "invalid request"; tgtd ignores SIGTERM
    kill -9 "$tgtd_pid" 2>/dev/null || true
    wait "$tgtd_pid" 2>/dev/null || true
  fi
  if [ -n "${KT_KEEP:-}" ]; then say "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- (1) the CLI: NativeAOT publish, cached by the state of src/ --------------------------------------------------
if [ -n "${KT_CLI:-}" ]; then
  cli=$(readlink -f "$KT_CLI")
else
  key=$(cd "$repo" && { git rev-parse HEAD 2>/dev/null; git diff HEAD -- src 2>/dev/null;
         git ls-files -o --exclude-standard src 2>/dev/null | xargs -r sha256sum; } | sha256sum | cut -c1-16)
  aot="$cache/aot-$key"
  if [ ! -x "$aot/tapechanger" ]; then
    say "publishing the NativeAOT CLI to $aot"
    (cd "$repo" && dotnet publish src/TapeChanger.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$aot.tmp" -nologo) \
      >"$work/publish.log" 2>&1 || { tail -20 "$work/publish.log"; die "dotnet publish failed"; }
    rm -rf "$aot"; mv "$aot.tmp" "$aot"
  else
    say "using cached CLI $aot/tapechanger"
  fi
  cli="$aot/tapechanger"
fi
[ -x "$cli" ] || die "CLI $cli is not executable"

# --- (1b) the conformance suite (JIT test assembly, run in the guest with the host's dotnet over 9p) ---------------
case "${KT_TESTS:-}" in
  0) tests=""; say "KT_TESTS=0: skipping the conformance suite" ;;
  "") say "building tests/TapeChanger.Domain.Tests (Release)"
      (cd "$repo" && dotnet build tests/TapeChanger.Domain.Tests -c Release -nologo -v quiet) >"$work/build-tests.log" 2>&1 \
        || { tail -20 "$work/build-tests.log"; die "dotnet build of the conformance suite failed"; }
      tests="$repo/tests/TapeChanger.Domain.Tests/bin/Release/net10.0/TapeChanger.Domain.Tests.dll" ;;
  *) tests=$(readlink -f "$KT_TESTS") ;;
esac
[ -z "$tests" ] || [ -f "$tests" ] || die "conformance test assembly $tests not found"
case "$tests" in *' '*) die "the test assembly path must not contain spaces (kernel command line): $tests";; esac

# --- (2) initramfs: busybox, modules in dependency order, iscsid/iscsiadm with their libraries --------------------
modules="crc32c_generic scsi_mod sg ch st iscsi_tcp virtio_pci virtio_net 9pnet_virtio 9p overlay"
init_script() {
cat <<'INIT'
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mkdir -p /run /tmp /var/lib/iscsi/nodes /var/lib/iscsi/send_targets /var/lib/iscsi/ifaces /run/lock/iscsi /var/lock
log() { echo "@@KT-LOG [$(cut -d' ' -f1 /proc/uptime)s] $*"; }
fail() { log "SETUP-FAIL $*"; echo "@@KT-SETUP-FAIL $*"; poweroff -f; }
for w in $(cat /proc/cmdline); do
  case "$w" in kt.port=*) PORT=${w#kt.port=};; kt.iqn=*) IQN=${w#kt.iqn=};; kt.cli=*) CLI=${w#kt.cli=};; kt.tests=*) TESTS=${w#kt.tests=};; esac
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
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=524288 host /host || fail "9p mount of the host /"
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
step status-final      $D status --json
step status-verbose    $D --verbose status
echo "@@KT-DONE"
log "done"
poweroff -f
INIT
}
ikey=$( { echo "$kver $modules"; init_script; ls -l /usr/sbin/iscsid /usr/sbin/iscsiadm /bin/busybox; } | sha256sum | cut -c1-16)
initrd="$cache/initramfs-$kver-$ikey.cpio.gz"
if [ ! -f "$initrd" ]; then
  say "building initramfs for $kver"
  root="$work/initramfs"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/iscsi,lib,lib64,proc,sys,dev,run,tmp,host}
  cp /bin/busybox "$root/bin/busybox"
  for a in $("$root/bin/busybox" --list); do [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"; done
  : >"$root/modules.list"
  for m in $modules; do
    modprobe --show-depends -S "$kver" "$m" | awk '$1 == "insmod" {print $2}'
  done | awk '!seen[$0]++' | while read -r ko; do
    mkdir -p "$root$(dirname "$ko")"; cp "$ko" "$root$ko"; echo "$ko" >>"$root/modules.list"
  done
  for b in /usr/sbin/iscsid /usr/sbin/iscsiadm; do
    cp "$b" "$root$b"
    ldd "$b" | grep -oE '/[^ ]+' | while read -r lib; do mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; done
  done
  echo "InitiatorName=iqn.2026-11.tapechanger:guest" >"$root/etc/iscsi/initiatorname.iscsi"
  printf 'node.startup = manual\nnode.session.timeo.replacement_timeout = 15\n' >"$root/etc/iscsi/iscsid.conf"
  echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
  init_script >"$root/init"; chmod +x "$root/init"
  (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd.tmp" && mv "$initrd.tmp" "$initrd"
  say "initramfs $(du -h "$initrd" | cut -f1) with $(wc -l <"$root/modules.list") modules"
else
  say "using cached initramfs $initrd"
fi

# --- (3) a private tgtd with a small library ----------------------------------------------------------------------
tgt_cn=${KT_TGT_CONTROL:-$((20000 + $$ % 9000))}
port=${KT_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
vtl="$work/vtl"; mkdir -p "$vtl"
setsid tgtd -f -C "$tgt_cn" --iscsi "portal=127.0.0.1:$port" >"$work/tgtd.log" 2>&1 &
tgtd_pid=$!
t() { tgtadm -C "$tgt_cn" --lld iscsi "$@"; }
for _ in $(seq 50); do t --op show --mode target >/dev/null 2>&1 && break; sleep 0.1; done
t --op show --mode target >/dev/null 2>&1 || { cat "$work/tgtd.log"; die "tgtd -C $tgt_cn did not come up"; }
t --op new --mode target --tid 1 -T "$iqn"
for lun in 1 2; do
  tgtimg --op new --device-type tape --barcode "DRV00$lun" --size 1 --type data --file "$vtl/drive$lun.img" >/dev/null
  t --op new --mode logicalunit --tid 1 --lun $lun -b "$vtl/drive$lun.img" --device-type=tape
  t --op update --mode logicalunit --tid 1 --lun $lun --params online=0
done
: >"$vtl/smc"
t --op new --mode logicalunit --tid 1 --lun 3 -b "$vtl/smc" --device-type=changer
t --op update --mode logicalunit --tid 1 --lun 3 --params media_home="$vtl"
# Element map: drives 1-2, picker 3, storage 4-11 (mtx slots 1-8), import/export 12-13 (slots 9-10).
t --op update --mode logicalunit --tid 1 --lun 3 --params element_type=4,start_address=1,quantity=2
t --op update --mode logicalunit --tid 1 --lun 3 --params element_type=4,address=1,tid=1,lun=1
t --op update --mode logicalunit --tid 1 --lun 3 --params element_type=4,address=2,tid=1,lun=2
t --op update --mode logicalunit --tid 1 --lun 3 --params element_type=1,start_address=3,quantity=1
t --op update --mode logicalunit --tid 1 --lun 3 --params element_type=2,start_address=4,quantity=8
t --op update --mode logicalunit --tid 1 --lun 3 --params element_type=3,start_address=12,quantity=2
addr=4
for bc in TC0001L6 TC0002L6 TC0003L6 TC0004L6 CLN001L1; do
  type=data; case $bc in CLN*) type=clean;; esac
  tgtimg --op new --device-type tape --barcode "$bc" --size 1 --type "$type" --file "$vtl/$bc" >/dev/null
  t --op update --mode logicalunit --tid 1 --lun 3 --params "element_type=2,address=$addr,barcode=$bc,sides=1"
  addr=$((addr + 1))
done
t --op bind --mode target --tid 1 -I ALL
say "tgtd pid $tgtd_pid (-C $tgt_cn) serving $iqn on 127.0.0.1:$port"

# --- (4) boot the guest -------------------------------------------------------------------------------------------
serial="$work/serial.log"
say "booting $kver under QEMU TCG (limit ${KT_TIMEOUT:-600}s)"
boot_start=$(date +%s)
timeout "${KT_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nographic -no-reboot \
  -kernel "/boot/vmlinuz-$kver" -initrd "$initrd" \
  -append "console=ttyS0 panic=-1 quiet loglevel=3 kt.port=$port kt.iqn=$iqn kt.cli=$cli${tests:+ kt.tests=$tests}" \
  -nic user,model=virtio-net-pci \
  -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
  </dev/null >"$serial" 2>&1 &
qemu_pid=$!
wait "$qemu_pid" || say "qemu exited with status $? (124 = timeout)"
qemu_pid=""
say "guest finished in $(( $(date +%s) - boot_start ))s"
grep -ao '@@KT-LOG .*' "$serial" | tr -d '\r' | sed 's/^@@KT-LOG /  guest: /' || true
if grep -q '^@@KT-SETUP-FAIL' "$serial" || ! grep -q '^@@KT-DONE' "$serial"; then
  say "guest serial log (last 60 lines):"; tail -60 "$serial" | tr -d '\r'
  die "$(grep -m1 '^@@KT-SETUP-FAIL' "$serial" | tr -d '\r' || echo 'guest did not finish')"
fi

# --- (5) check the results ----------------------------------------------------------------------------------------
set +e
python3 - "$serial" "$([ -n "$tests" ] && echo 1 || echo 0)" <<'PY'
import json, re, sys

text = open(sys.argv[1], encoding="utf-8", errors="replace").read().replace("\r", "")
steps = {}
for m in re.finditer(r"^@@KT-BEGIN (\S+) rc=(\d+) t0=(\S+) t1=(\S+) args=(.*?)\n@@KT-STDOUT\n(.*?)\n@@KT-STDERR\n(.*?)\n@@KT-END \1$",
                     text, re.S | re.M):
    name, rc, t0, t1, args, out, err = m.groups()
    steps[name] = dict(rc=int(rc), secs=float(t1) - float(t0), args=args, out=out.strip(), err=err.strip())

def doc(s):
    return json.loads(s["out"])

def elements(d, kind):
    return [e for e in d["elements"] if e["type"] == kind]

def slot(d, n):
    return next(e for e in d["elements"] if e.get("slot") == n)

def expect(cond, why):
    if not cond:
        raise AssertionError(why)

def initial_layout(d):
    expect(d["ok"] is True, "ok is not true")
    expect(d["library"]["product"] == "VIRTUAL-CHANGER", f"product {d['library']['product']!r}")
    expect(len(elements(d, "dataTransfer")) == 2, "expected 2 drives")
    expect(len(elements(d, "storage")) == 8, "expected 8 storage slots")
    expect(len(elements(d, "importExport")) == 2, "expected 2 import/export slots")
    for n, bc in enumerate(["TC0001L6", "TC0002L6", "TC0003L6", "TC0004L6", "CLN001L1"], 1):
        expect(slot(d, n)["full"] and slot(d, n)["barcode"] == bc, f"slot {n} should hold {bc}: {slot(d, n)}")
    expect(slot(d, 5)["cleaner"] is True, "CLN001L1 not marked as a cleaner")
    expect(not slot(d, 6)["full"] and not slot(d, 7)["full"], "slots 6 and 7 should be empty")
    expect(all(not e["full"] for e in elements(d, "dataTransfer")), "drives should be empty")

def check_loaded(d):
    drive0 = min(elements(d, "dataTransfer"), key=lambda e: e["address"])
    expect(drive0["full"] and drive0["barcode"] == "TC0001L6", f"drive 0 should hold TC0001L6: {drive0}")
    expect(drive0["source"] == 4, f"drive 0 source should be element 4: {drive0['source']}")
    expect(not slot(d, 1)["full"], "slot 1 should be empty after load")

def check_moved(d):
    expect(slot(d, 6)["full"] and slot(d, 6)["barcode"] == "TC0002L6", f"slot 6 should hold TC0002L6: {slot(d, 6)}")
    expect(not slot(d, 2)["full"], "slot 2 should be empty after transfer")

def one_line_error(s, *fragments):
    lines = [l for l in s["err"].splitlines() if l.strip()]
    expect(len(lines) == 1 and lines[0].startswith("tapechanger: "), f"expected one 'tapechanger: ' line on stderr, got {s['err']!r}")
    for f in fragments:
        expect(f in lines[0], f"stderr lacks {f!r}: {lines[0]!r}")

def mtx_parse(text):
    """mtx status lines -> {('drive', n) or ('slot', n): (full, barcode, source_slot)}."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"\s*Data Transfer Element (\d+):(Full|Empty)(?: \(Storage Element (\d+) Loaded\))?(?::VolumeTag\s*=\s*(\S*))?", line)
        if m:
            out[("drive", int(m.group(1)))] = (m.group(2) == "Full", m.group(4) or None, int(m.group(3)) if m.group(3) else None)
            continue
        m = re.match(r"\s*Storage Element (\d+)(?: IMPORT/EXPORT)?:(Full|Empty)\s*(?::VolumeTag=(\S*))?", line)
        if m:
            out[("slot", int(m.group(1)))] = (m.group(2) == "Full", m.group(3) or None, None)
    return out

def ours(d):
    out = {}
    for e in d["elements"]:
        if e["type"] == "dataTransfer":
            out[("drive", e["drive"])] = (e["full"], e["barcode"], e.get("sourceSlot") if e["full"] else None)
        elif e.get("slot") is not None:
            out[("slot", e["slot"])] = (e["full"], e["barcode"], None)
    return out

def same_as_mtx(mtx_step, ours_step):
    def check(s):
        m, o = mtx_parse(s["out"]), ours(doc(steps[ours_step]))
        expect(len(m) >= 10, f"could not parse mtx output: {s['out'][:200]!r}")
        expect(m == o, "differs from mtx: " + "; ".join(f"{k}: mtx {m.get(k)} vs ours {o.get(k)}" for k in sorted(set(m) | set(o)) if m.get(k) != o.get(k)))
    return check

def check_list(s):
    d = doc(s)
    changers = [x for x in d["devices"] if x["kind"] == "changer"]
    expect(len(changers) == 1 and changers[0]["uri"].startswith("sg:/dev/sg"), f"expected one sg changer: {changers}")
    drives = changers[0]["drives"] or []
    expect(len(drives) == 2, f"expected 2 drive elements: {drives}")
    expect(any(x["uri"] for x in drives), f"no drive paired with a tape device: {drives}")
    expect(sum(1 for x in d["devices"] if x["kind"] == "tape") == 2, "expected 2 tape devices")

def check_conformance(s):
    text = s["out"] + "\n" + s["err"]
    # dotnet test's summary: "Passed!  - Failed: 0, Passed: 10, ..." (minimal verbosity) or, with the normal-verbosity
    # console logger, "Test Run Successful." / "Test Run Failed." followed by "Total tests: N", "Passed: N", "Failed: N".
    m = re.search(r"^\s*(Passed|Failed)!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+),\s+Total:\s+(\d+)", text, re.M)
    if m:
        verdict, failed, passed, skipped, total = m.group(1), *map(int, m.groups()[1:])
    else:
        m = re.search(r"^Test Run (Successful|Failed|Aborted)\.\n((?:.*\n?){0,6})", text, re.M)
        expect(m, f"no 'Passed!/Failed!' or 'Test Run ...' summary; output tail: {text[-600:]!r}")
        count = lambda k: int((re.search(rf"^\s*{k}:\s+(\d+)", m.group(2), re.M) or [0, 0])[1])
        verdict = "Passed" if m.group(1) == "Successful" else "Failed"
        failed, passed, skipped, total = count("Failed"), count("Passed"), count("Skipped"), count("Total tests")
    names = lambda outcome, dev: len(re.findall(rf'^\s*{outcome} \S*ChangerConformanceTests\.\S+\(device: "{dev}', text, re.M))
    virt, sg = names("Passed", "virtual:"), names("Passed", "sg:/dev/sg")
    bad = re.findall(r'^\s*Failed (\S*ChangerConformanceTests\.\S+\(device: "[^"]*"\))', text, re.M)
    expect(verdict == "Passed" and failed == 0 and skipped == 0 and passed == total > 0,
           f"{verdict}: failed {failed}, passed {passed}, skipped {skipped}, total {total}; failed tests: {bad}")
    expect(virt > 0 and sg == virt, f"{sg} sg: tests passed, expected as many as the {virt} virtual: ones")
    expect(passed == virt + sg and passed > virt, f"summary says {passed} passed, per-test lines say {virt} virtual: + {sg} sg:")
    s["summary"] = f"{passed} passed ({virt} virtual: + {sg} sg:)"

def same_bytes(s, mtx_step, first_err_line=False):
    """tapechanger mtx against mtx's own step: the same stdout byte for byte (and the same first stderr line)."""
    m = steps[mtx_step]
    expect(s["out"] == m["out"], f"stdout differs from {mtx_step}: {s['out'][:300]!r} vs {m['out'][:300]!r}")
    if first_err_line:
        first = lambda t: (t.splitlines() or [""])[0]
        expect(first(s["err"]) == first(m["err"]), f"first stderr line differs: {first(s['err'])!r} vs {first(m['err'])!r}")

tests_enabled = sys.argv[2] == "1"
checks = [
    ("status", 0, lambda s: initial_layout(doc(s))),
    ("mtx-status", 0, same_as_mtx("mtx-status", "status")),
    # tapechanger mtx over the same sg node: mtx's text byte for byte, header and device name included.
    ("tc-mtx-status", 0, lambda s: same_bytes(s, "mtx-status")),
    ("status-iscsi", 0, lambda s: same_as_mtx("mtx-status", "status-iscsi")(steps["mtx-status"])),
    ("inquiry", 0, lambda s: expect(doc(s)["ok"] is True and "VIRTUAL-CHANGER" in s["out"], "inquiry JSON")),
    ("list", 0, check_list),
    ("load", 0, None),
    ("status-loaded", 0, lambda s: check_loaded(doc(s))),
    ("mtx-loaded", 0, same_as_mtx("mtx-loaded", "status-loaded")),
    ("tc-mtx-loaded", 0, lambda s: same_bytes(s, "mtx-loaded")),
    ("unload", 0, None),
    ("transfer", 0, None),
    ("status-moved", 0, lambda s: check_moved(doc(s))),
    ("transfer-back", 0, None),
    ("load-empty-slot", 1, lambda s: one_line_error(s, "slot 7")),
    ("mtx-load-empty", 1, None),
    ("tc-mtx-load-empty", 1, lambda s: same_bytes(s, "mtx-load-empty", first_err_line=True)),
    ("load-for-eject", 0, None),
    ("unload-eject", 0, lambda s: expect(
        [l[2:6] for l in s["err"].splitlines() if l.startswith(("> LOAD UNLOAD", "> MOVE MEDIUM"))][:1] == ["LOAD"]
        and any(l.startswith("> MOVE MEDIUM") for l in s["err"].splitlines()),
        "no LOAD UNLOAD to the paired tape before MOVE MEDIUM:\n" + s["err"][-1500:])),
    ("missing-device", 69, lambda s: one_line_error(s, "no such device /dev/sg99")),
    # A tape drive's sg node is refused with "not supported" (3), naming what it is.
    ("not-a-changer", 3, lambda s: one_line_error(s, "is a tape drive")),
    ("conformance", 0, check_conformance),
    ("status-final", 0, lambda s: initial_layout(doc(s))),
    ("status-verbose", 0, lambda s: expect("> READ ELEMENT STATUS" in s["err"] and "< status Good" in s["err"], "no CDB trace on stderr")),
]
passed = failed = 0
for name, rc, check in checks:
    s = steps.get(name)
    if s is None:
        if name == "not-a-changer" or (name == "conformance" and not tests_enabled):
            continue
        print(f"FAIL  {name:16} did not run"); failed += 1; continue
    why = ""
    try:
        if rc is not None:
            expect(s["rc"] == rc, f"exit {s['rc']}, expected {rc}; stderr: {s['err'][:300]!r}")
        if check:
            check(s)
    except (AssertionError, ValueError, KeyError, StopIteration) as e:
        why = f"{type(e).__name__}: {e}"
    detail = s["err"].splitlines()[0] if s["err"] and s["rc"] != 0 else ""
    if why:
        failed += 1
        print(f"FAIL  {name:16} rc={s['rc']:<3} {s['secs']:5.2f}s  tapechanger {s['args']}\n      {why}")
    else:
        passed += 1
        print(f"PASS  {name:16} rc={s['rc']:<3} {s['secs']:5.2f}s  tapechanger {s['args']}" + (f"\n      {detail}" if detail else "")
              + (f"\n      {s['summary']}" if "summary" in s else ""))
print(f"kernel-tier: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
rc=$?
set -e
say "total wall time $(( $(date +%s) - started ))s"
if [ $rc -ne 0 ]; then say "RESULT: FAIL"; [ -n "${KT_KEEP:-}" ] || { say "guest serial log:"; tr -d '\r' <"$serial" | tail -80; }; exit 1; fi
say "RESULT: PASS"
