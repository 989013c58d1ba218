#!/usr/bin/env bash
# USB tier: does our usb: transport (libusb-1.0, Bulk-Only Transport) drive a changer through a real Linux USB stack?
# QEMU presents tgt's SMC changer LUN to the guest as a USB mass-storage bulk-only device:
#   -device qemu-xhci -device usb-bot -drive file=iscsi://127.0.0.1:PORT/IQN/3 (libiscsi, package qemu-block-extra)
#   -device scsi-generic,bus=bot.0,lun=0  (QEMU's iSCSI driver marks non-disk LUNs as sg, so scsi-generic accepts it)
# and tgt's tape drive LUN 1 (drive element 1) as LUN 1 of the same usb-bot device, as an autoloader presents its drive.
# The guest (Debian kernel, TCG, busybox initramfs with xhci/usb-storage/sg) prints the USB device and interface from
# sysfs, then, chrooted into the host / over 9p, runs mtx and `tapechanger status --json` over the sg node usb-storage
# makes and over usb:46f4:0001 (QEMU's USB storage VID:PID; libusb detaches usb-storage and re-attaches it after).
# Then, over usb:, load, unload, transfer, export, import, cleaner reserve, inject (the library's robot plays the
# operator: export puts the cleaner in a mail slot), a cleaning of drive 0 that polls the drive over usb: (the drive
# locator finds it as the interface's other LUN by GET MAX LUN, INQUIRY and VPD 80h; the --verbose log must show TEST
# UNIT READY and LOG SENSE sent to it), eject (import takes it back) and release; after each, the sg node reappears
# (usb-storage has the device back) and mtx on it must show the move.
# Exit 0 when every step passes and mtx agrees, 1 when not, 2 on setup failure. Runs as root; KT_CLI=path to the CLI.
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
# Moves over usb:, each followed by mtx over the sg node usb-storage makes again once the command has handed the
# interface back (waitsg: the node reappears; the mtx step fails if it does not).
waitsg() {
  SG=""; i=0
  while [ -z "$SG" ] && [ $i -lt 200 ]; do
    for d in /sys/class/scsi_generic/sg*; do [ "$(cat "$d/device/type" 2>/dev/null)" = 8 ] && [ -e "/dev/${d##*/}" ] && SG=/dev/${d##*/}; done
    [ -z "$SG" ] && { sleep 0.1; i=$((i+1)); }
  done
  echo "@@UP-BOUND $1 $(ls /sys/bus/usb/drivers/usb-storage | grep -c :) ${SG:-none}"
}
U() { chroot /host /usr/bin/env -i HOME=/run PATH=/usr/sbin:/usr/bin:/sbin:/bin TAPECHANGER_CleanerPollMilliseconds=700 \
        "$CLI" --state-dir /run/tc --device usb:46f4:0001 "$@"; }
move() { name=$1; shift; step "$name" /usr/bin/env TAPECHANGER_CleanerPollMilliseconds=700 "$CLI" --state-dir /run/tc --device usb:46f4:0001 "$@"; waitsg "$name"; step "mtx-$name" mtx -f "$SG" status; }
# seen N FILE: the waiting service has reported N polls (one line per poll: the seconds left change)
seen() { i=0; while [ "$(grep -c waiting-for-operator "$2" 2>/dev/null)" -lt "$1" ] && [ $i -lt 600 ]; do sleep 0.2; i=$((i+1)); done; }
# retry ARGS...: a usb: command while a cleaner worker polls the same device (one process can claim it at a time)
retry() { i=0; while [ $i -lt 60 ]; do U "$@" >/dev/null 2>&1 && return 0; sleep 0.5; i=$((i+1)); done; return 1; }
move load load 1 0
move unload unload
move transfer transfer 2 6
move export export 3
move import import
move reserve cleaner reserve 3
# inject: the service waits for a cleaner in a mail slot; the library's own robot puts it there (export 5) once
# the service has seen the mail slots twice (so it knows what was there before)
U cleaner inject --cleans 3 --timeout 400 --wait >/tmp/inject.out 2>&1 &
job=$!; seen 2 /tmp/inject.out; retry export 5; log "inject helper export rc=$?"
wait $job; rc=$?; log "inject rc=$rc $(tr '\n' ' ' </tmp/inject.out)"
waitsg inject; step mtx-inject mtx -f "$SG" status
# clean: the cleaner goes into drive 0, the drive is polled on LUN 1 of the same interface, the cleaner goes back
move clean --verbose clean 0 --wait
step clean-history "$CLI" --state-dir /run/tc --device usb:46f4:0001 cleaner status --json
# eject: the service moves the cleaner to a mail slot and waits for it to go; import takes it back to slot 5
U cleaner eject --timeout 400 --wait >/tmp/eject.out 2>&1 &
job=$!; seen 2 /tmp/eject.out; retry import 5; log "eject helper import rc=$?"
wait $job; rc=$?; log "eject rc=$rc $(tr '\n' ' ' </tmp/eject.out)"
waitsg eject; step mtx-eject mtx -f "$SG" status
move release cleaner release
echo "@@UP-DONE"; poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

port=$(tgt_free_port)
vtl="$work/vtl"; mkdir -p "$vtl"
tgt_start_daemon "$tgt_cn" "$port" "$work/tgtd.log" || { cat "$work/tgtd.log"; die "tgtd -C $tgt_cn did not come up"; }
tgtd_pid=$TGT_DAEMON_PID
tgt_small_library "$tgt_cn" "$iqn" "$vtl" || die "building the tgt library failed"

say "booting $kver with the changer (iscsi://127.0.0.1:$port/$iqn/3) and drive 0 (.../1) as LUNs 0 and 1 of one usb-bot"
timeout "${KT_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nographic -no-reboot \
  -kernel "/boot/vmlinuz-$kver" -initrd "$work/initrd.gz" \
  -append "console=ttyS0 panic=-1 quiet loglevel=3 kt.cli=$cli" \
  -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
  -device qemu-xhci,id=xhci -device usb-bot,id=bot,bus=xhci.0 \
  -drive "file=iscsi://127.0.0.1:$port/$iqn/3,if=none,id=chg,format=raw" \
  -device scsi-generic,bus=bot.0,drive=chg,lun=0 \
  -drive "file=iscsi://127.0.0.1:$port/$iqn/1,if=none,id=drv,format=raw" \
  -device scsi-generic,bus=bot.0,drive=drv,lun=1 </dev/null >"$work/serial.log" 2>&1
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
ok = same

def mtx(out):
    state = {}
    for line in out.splitlines():
        m = re.match(r"\s*(Data Transfer|Storage) Element (\d+)(?: IMPORT/EXPORT)?:(Empty|Full)(?:.*VolumeTag ?= ?(\S+))?", line)
        if m:
            state[("D" if m[1] == "Data Transfer" else "S") + m[2]] = (m[4] or "?") if m[3] == "Full" else "-"
    return state

# After each usb: command, mtx over the guest's sg node (usb-storage has the device back) must show the move.
bound = dict(re.findall(r"^@@UP-BOUND (\S+) (\d+ \S+)$", text, re.M))
expect = {
    "load": "D0=TC0001L6 S1=-", "unload": "D0=- S1=TC0001L6", "transfer": "S2=- S6=TC0002L6",
    "export": "S3=- S9=TC0003L6", "import": "S9=- S2=TC0003L6", "reserve": "S3=-",
    "inject": "S3=CLN001L1 S5=- S9=- S10=-", "clean": "S3=CLN001L1 D0=-", "eject": "S3=- S5=CLN001L1 S9=- S10=-", "release": "S5=CLN001L1",
}
for name, want in expect.items():
    cmd, check = steps.get(name), steps.get("mtx-" + name)
    if name in ("inject", "eject"):
        done = re.search(rf"^@@UP \[[^]]*\] {name} rc=(\d+) (.*)$", text, re.M)
        cmd = dict(rc=int(done[1]), err=done[2]) if done else None
    state = mtx(check["out"]) if check and check["rc"] == 0 else {}
    wrong = [w for w in want.split() if state.get(w.split("=")[0]) != w.split("=")[1]]
    good = cmd is not None and cmd["rc"] == 0 and check is not None and check["rc"] == 0 and not wrong
    print(f"usb: {name:8} rc={cmd['rc'] if cmd else '-'}  usb-storage back: {bound.get(name, 'no')}  mtx: {'agrees' if good else 'DISAGREES ' + str(wrong)}")
    if not good:
        print("   ", (cmd or {}).get("err", "")[-400:], (check or {}).get("err", "")[-200:])
        ok = False

# The cleaning polled the drive over usb:: each poll opens the drive (a "# drive" line naming LUN 1 of the same
# device) and sends it TEST UNIT READY; after the last poll its TapeAlert log is read (LOG SENSE; tgt refuses it).
clean = steps.get("clean") or dict(err="", out="")
trace = clean["err"].splitlines()
drive = "# drive usb:46f4:0001 LUN 1"
polls = [i for i, l in enumerate(trace) if l == drive]
tur = [i for i in polls if i + 1 < len(trace) and trace[i + 1].startswith("> TEST UNIT READY: cdb 00 00 00 00 00 00")]
after = trace[polls[-1]:] if polls else []
end = next((i for i, l in enumerate(after) if l.startswith("> MOVE MEDIUM")), len(after))
logsense = [l for l in after[:end] if l.startswith("> LOG SENSE")]
history = steps.get("clean-history")
outcomes = [h["outcome"] for hs in json.loads(history["out"])["history"].values() for h in hs] if history and history["rc"] == 0 else []
watched = [o for o in outcomes if "(watched usb:46f4:0001 LUN 1)" in o]
good = bool(polls) and len(tur) == len(polls) and bool(logsense) and bool(watched)
print(f"usb: clean drive polls over usb: {len(polls)} (TEST UNIT READY first in {len(tur)}), LOG SENSE after the last: "
      f"{[l[:30] for l in logsense]}, history: {outcomes}")
if not good:
    print("usb: the cleaning did not poll the drive over usb:\n   " + "\n   ".join(trace[-60:]))
    ok = False
sys.exit(0 if ok else 1)
PY
rc=$?
say "RESULT: $([ $rc = 0 ] && echo PASS || echo FAIL)"
exit $rc
