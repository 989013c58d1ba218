#!/usr/bin/env bash
# Probe (not a tier): does our usb: transport (libusb-1.0, Bulk-Only Transport) drive a changer through a real Linux
# USB stack? QEMU presents tgt's SMC changer LUN to the guest as a USB mass-storage bulk-only device:
#   -device qemu-xhci -device usb-bot -drive file=iscsi://127.0.0.1:PORT/IQN/3 (libiscsi, package qemu-block-extra)
#   -device scsi-generic,bus=bot.0      (QEMU's iSCSI driver marks non-disk LUNs as sg, so scsi-generic accepts it)
# The guest (Debian kernel, TCG, busybox initramfs with xhci/usb-storage/sg) prints the USB device and interface from
# sysfs, then, chrooted into the host / over 9p, runs mtx and `tapechanger status --json` over the sg node usb-storage
# makes and over usb:46f4:0001 (QEMU's USB storage VID:PID; libusb detaches usb-storage and re-attaches it after).
# Exit 0 when both statuses succeed and agree, 1 when not, 2 on setup failure. Runs as root; KT_CLI=path to the CLI.
set -uo pipefail
started=$(date +%s)
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/tgt.sh
source "$here/lib/tgt.sh"
# shellcheck source=lib/guest.sh
source "$here/lib/guest.sh"
say() { printf '[usb-probe %3ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }
die() { say "SETUP FAILED: $*"; exit 2; }
[ "$(id -u)" = 0 ] || die "must run as root"
cli=$(readlink -f "${KT_CLI:-artifacts/aot/tapechanger}"); [ -x "$cli" ] || die "KT_CLI $cli is not executable"
[ -f /usr/lib/x86_64-linux-gnu/qemu/block-iscsi.so ] || die "QEMU's iSCSI driver is missing: apt-get install qemu-block-extra"
kver=${KT_KERNEL:-$(guest_kernel)}
work=$(mktemp -d /tmp/kernel-usb-probe.XXXXXX); iqn=iqn.2026-11.tapechanger:usb-probe
tgtd_pid=""; tgt_cn=$((20000 + $$ % 9000))
cleanup() { [ -n "$tgtd_pid" ] && { tgt_stop_daemon "$tgtd_pid" "$tgt_cn"; wait "$tgtd_pid" 2>/dev/null; }
            if [ -n "${KT_KEEP:-}" ]; then say "work directory kept: $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

root="$work/initramfs"
guest_busybox_root "$root"
guest_modules "$root" "$kver" scsi_mod sg ch xhci_pci usb_storage virtio_pci 9pnet_virtio 9p
cat >"$root/init" <<'INIT'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
log() { echo "@@UP [$(cut -d' ' -f1 /proc/uptime)s] $*"; }
for w in $(cat /proc/cmdline); do case "$w" in kt.cli=*) CLI=${w#kt.cli=};; esac; done
while read -r m; do insmod "$m" 2>/dev/null || log "insmod $m failed"; done </modules.list
SG=""; i=0
while [ -z "$SG" ] && [ $i -lt 300 ]; do
  for d in /sys/class/scsi_generic/sg*; do [ "$(cat "$d/device/type" 2>/dev/null)" = 8 ] && SG=/dev/${d##*/}; done
  [ -z "$SG" ] && { sleep 0.1; i=$((i+1)); }
done
for d in /sys/class/scsi_generic/sg*; do log "${d##*/} type $(cat "$d/device/type") $(cat "$d/device/vendor") $(cat "$d/device/model") at $(readlink -f "$d/device")"; done
for d in /sys/bus/usb/devices/*; do
  [ -r "$d/idVendor" ] && log "usb ${d##*/} $(cat "$d/idVendor"):$(cat "$d/idProduct") '$(cat "$d/manufacturer" 2>/dev/null)' '$(cat "$d/product" 2>/dev/null)' speed $(cat "$d/speed")"
  [ -r "$d/bInterfaceClass" ] && log "usb ${d##*/} interface class $(cat "$d/bInterfaceClass") subclass $(cat "$d/bInterfaceSubClass") protocol $(cat "$d/bInterfaceProtocol") driver $(basename "$(readlink "$d/driver")" 2>/dev/null)"
done
[ -n "$SG" ] || { echo "@@UP-SETUP-FAIL no type 8 sg node"; poweroff -f; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=524288 host /host || { echo "@@UP-SETUP-FAIL 9p"; poweroff -f; }
mount --bind /dev /host/dev; mount -t proc proc /host/proc; mount -t sysfs sys /host/sys; mount -t tmpfs tmp /host/run
step() {
  name=$1; shift
  chroot /host /usr/bin/env -i HOME=/run PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@" >/tmp/out 2>/tmp/err
  echo "@@KT-BEGIN $name rc=$? args=$*"; echo "@@KT-STDOUT"; cat /tmp/out; echo; echo "@@KT-STDERR"; cat /tmp/err; echo; echo "@@KT-END $name"
}
step mtx-status mtx -f "$SG" status
step sg-status "$CLI" --state-dir /run/tc --device "sg:$SG" status --json
step usb-status "$CLI" --state-dir /run/tc --device usb:46f4:0001 --verbose status --json
step list "$CLI" --state-dir /run/tc list
log "usb-storage still bound after the usb: run: $(ls /sys/bus/usb/drivers/usb-storage | grep -c :)"
echo "@@UP-DONE"; poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

port=$(tgt_free_port)
vtl="$work/vtl"; mkdir -p "$vtl"
tgt_start_daemon "$tgt_cn" "$port" "$work/tgtd.log" || { cat "$work/tgtd.log"; die "tgtd -C $tgt_cn did not come up"; }
tgtd_pid=$TGT_DAEMON_PID
tgt_small_library "$tgt_cn" "$iqn" "$vtl" || die "building the tgt library failed"

say "booting $kver with the changer on usb-bot (iscsi://127.0.0.1:$port/$iqn/3)"
timeout "${KT_TIMEOUT:-300}" qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nographic -no-reboot \
  -kernel "/boot/vmlinuz-$kver" -initrd "$work/initrd.gz" \
  -append "console=ttyS0 panic=-1 quiet loglevel=3 kt.cli=$cli" \
  -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
  -device qemu-xhci,id=xhci -device usb-bot,id=bot,bus=xhci.0 \
  -drive "file=iscsi://127.0.0.1:$port/$iqn/3,if=none,id=chg,format=raw" \
  -device scsi-generic,bus=bot.0,drive=chg </dev/null >"$work/serial.log" 2>&1
say "guest finished (qemu status $?)"
tr -d '\r' <"$work/serial.log" | grep -ao '@@UP .*' | sed 's/^@@UP /  guest: /'
grep -q '^@@UP-DONE' "$work/serial.log" || { tail -40 "$work/serial.log"; die "guest did not finish"; }
python3 - "$work/serial.log" <<'PY'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read().replace("\r", "")
steps = {m[0]: dict(rc=int(m[1]), out=m[3].strip(), err=m[4].strip()) for m in re.findall(
    r"^@@KT-BEGIN (\S+) rc=(\d+) args=(.*?)\n@@KT-STDOUT\n(.*?)\n@@KT-STDERR\n(.*?)\n@@KT-END \1$", text, re.S | re.M)}
for name in ("mtx-status", "sg-status", "usb-status", "list"):
    s = steps.get(name)
    print(f"{name}: rc={s['rc'] if s else 'did not run'}")
    if name == "list" and s: print("  " + s["out"].replace("\n", "\n  "))
sg, usb = steps.get("sg-status"), steps.get("usb-status")
if not (sg and usb and sg["rc"] == 0 and usb["rc"] == 0):
    print("usb-probe: FAIL", (usb or {}).get("err", "")[-800:]); sys.exit(1)
print("usb: CDB trace:\n  " + "\n  ".join(l for l in usb["err"].splitlines() if l.startswith(("> ", "< "))))
a, b = json.loads(sg["out"]), json.loads(usb["out"])
same = a["elements"] == b["elements"]
print(f"usb-probe: status over usb: and sg: {'agree' if same else 'DIFFER'} ({len(b['elements'])} elements, "
      f"{sum(e['full'] for e in b['elements'])} full)")
sys.exit(0 if same else 1)
PY
rc=$?
say "RESULT: $([ $rc = 0 ] && echo PASS || echo FAIL)"
exit $rc
