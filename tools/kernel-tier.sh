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
#   KT_BENCH=n        benchmark instead of the checks: a library of 2,000 slots, 64 import/export elements and 16
#                     drives (tools/tgt-library.sh), and in the guest `mtx status` beside `tapechanger status` and
#                     `status --json` over the same sg node, n interleaved rounds (tools/guest/bench-status.py); prints
#                     the median wall and CPU times, and appends them to KT_BENCH_OUT (tools/bench.sh's row format);
#                     with KT_HELLO=path (a NativeAOT hello world) also `--version` beside it and `mtx --version`;
#                     with KT_FLOOR=path (tools/status-floor, built) and KT_FLOOR_RANGES=type:first:count[:dvcid],...
#                     the floor for the status row: the same exchange over the sg node and nothing else
set -euo pipefail

started=$(date +%s)
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${KT_CACHE:-/tmp/tapechanger-kernel-tier}
work=$(mktemp -d /tmp/kernel-tier.XXXXXX)
iqn=iqn.2026-11.tapechanger:kernel-tier
mkdir -p "$cache"

# shellcheck source=lib/tgt.sh
source "$repo/tools/lib/tgt.sh"
# shellcheck source=lib/guest.sh
source "$repo/tools/lib/guest.sh"

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
  kver=$(guest_kernel)
fi
[ -n "$kver" ] && [ -f "/boot/vmlinuz-$kver" ] || die "no kernel with modules found under /boot and /lib/modules"

# --- processes we start, and only those, are stopped on exit -----------------------------------------------------
tgtd_pid=""; qemu_pid=""; tgt_cn=""
cleanup() {
  [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null || true
  if [ -n "$tgtd_pid" ]; then
    tgt_stop_daemon "$tgtd_pid" "$tgt_cn"
    wait "$tgtd_pid" 2>/dev/null || true
  fi
  [ -n "${KT_BENCH:-}" ] && "$repo/tools/tgt-library.sh" stop >/dev/null 2>&1
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
    (cd "$repo" && tools/publish-aot.sh "$aot.tmp") \
      >"$work/publish.log" 2>&1 || { tail -20 "$work/publish.log"; die "dotnet publish failed"; }
    rm -rf "$aot"; mv "$aot.tmp" "$aot"
  else
    say "using cached CLI $aot/tapechanger"
  fi
  cli="$aot/tapechanger"
fi
[ -x "$cli" ] || die "CLI $cli is not executable"

# --- (1b) the conformance suite (JIT test assembly, run in the guest with the host's dotnet over 9p) ---------------
[ -n "${KT_BENCH:-}" ] && KT_TESTS=0
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
init_script() { cat "$repo/tools/guest/kernel-tier-init.sh"; }
ikey=$( { echo "$kver $modules"; init_script; ls -l /usr/sbin/iscsid /usr/sbin/iscsiadm /bin/busybox; } | sha256sum | cut -c1-16)
initrd="$cache/initramfs-$kver-$ikey.cpio.gz"
if [ ! -f "$initrd" ]; then
  say "building initramfs for $kver"
  root="$work/initramfs"
  mkdir -p "$root"/{sbin,usr/bin,usr/sbin,etc/iscsi,lib,lib64}
  guest_busybox_root "$root"
  # shellcheck disable=SC2086
  guest_modules "$root" "$kver" $modules
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
if [ -n "${KT_BENCH:-}" ]; then
  # The benchmark library: the geometry tools/bench.sh uses on the host, one cartridge in every ninth slot.
  media=""
  for i in $(seq 0 9 1999); do media="$media $((1000 + i)):B$(printf '%05d' "$i")"; done
  export TGT_STATE_FILE=$work/tgt.state
  TGT_SLOTS=2000 TGT_IE=64 TGT_IE_START=10 TGT_DRIVES=16 TGT_DRIVE_START=500 TGT_SLOT_START=1000 \
    TGT_SLOT_MEDIA="$media" TGT_IQN=$iqn "$repo/tools/tgt-library.sh" start >/dev/null || die "tools/tgt-library.sh start failed"
  # shellcheck disable=SC1090
  source "$TGT_STATE_FILE"
  port=$TGT_PORT
  say "tgt benchmark library (2,000 slots, 64 IE, 16 drives) on 127.0.0.1:$port"
else
tgt_cn=${KT_TGT_CONTROL:-$((20000 + $$ % 9000))}
port=${KT_PORT:-$(tgt_free_port)}
vtl="$work/vtl"; mkdir -p "$vtl"
tgt_start_daemon "$tgt_cn" "$port" "$work/tgtd.log" || { cat "$work/tgtd.log"; die "tgtd -C $tgt_cn did not come up"; }
tgtd_pid=$TGT_DAEMON_PID
t() { tgtadm -C "$tgt_cn" --lld iscsi "$@"; }
tgt_small_library "$tgt_cn" "$iqn" "$vtl" || die "building the tgt library failed"
say "tgtd pid $tgtd_pid (-C $tgt_cn) serving $iqn on 127.0.0.1:$port"
fi

# --- (4) boot the guest -------------------------------------------------------------------------------------------
serial="$work/serial.log"
say "booting $kver under QEMU TCG (limit ${KT_TIMEOUT:-600}s)"
boot_start=$(date +%s)
timeout "${KT_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nographic -no-reboot \
  -kernel "/boot/vmlinuz-$kver" -initrd "$initrd" \
  -append "console=ttyS0 panic=-1 quiet loglevel=3 kt.port=$port kt.iqn=$iqn kt.cli=$cli${tests:+ kt.tests=$tests}${KT_BENCH:+ kt.bench=$KT_BENCH kt.benchscript=$repo/tools/guest/bench-status.py}${KT_HELLO:+ kt.hello=$(readlink -f "$KT_HELLO")}${KT_FLOOR:+ kt.floor=$(readlink -f "$KT_FLOOR") kt.floorranges=$KT_FLOOR_RANGES}" \
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

# --- (5) the benchmark's figures, or the checks ----------------------------------------------------------------------
if [ -n "${KT_BENCH:-}" ]; then
  grep -a '^@@KT-BENCH-FAIL' "$serial" | tr -d '\r' && { say "RESULT: benchmark failed"; exit 1; }
  grep -a '^@@KT-BENCH ' "$serial" | tr -d '\r' | sed 's/^@@KT-BENCH //' >"$work/bench.tsv"
  [ -s "$work/bench.tsv" ] || { tail -40 "$serial" | tr -d '\r'; die "the guest printed no figures"; }
  expand -t 60 "$work/bench.tsv"
  [ -n "${KT_BENCH_OUT:-}" ] && cat "$work/bench.tsv" >>"$KT_BENCH_OUT"
  say "total wall time $(( $(date +%s) - started ))s"
  exit 0
fi

# --- (5) check the results ----------------------------------------------------------------------------------------
set +e
python3 "$repo/tools/lib/kernel_tier_check.py" "$serial" "$([ -n "$tests" ] && echo 1 || echo 0)"
rc=$?
set -e
say "total wall time $(( $(date +%s) - started ))s"
if [ $rc -ne 0 ]; then say "RESULT: FAIL"; [ -n "${KT_KEEP:-}" ] || { say "guest serial log:"; tr -d '\r' <"$serial" | tail -80; }; exit 1; fi
say "RESULT: PASS"
