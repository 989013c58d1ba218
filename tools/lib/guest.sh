# Shared pieces of the QEMU guests (tools/kernel-tier.sh, tools/kernel-usb-probe.sh): a busybox initramfs root with
# the kernel modules a guest needs, listed in load order in ROOT/modules.list.

# guest_busybox_root ROOT: busybox and its applet links under ROOT/bin.
guest_busybox_root() {
    local root=$1 a
    mkdir -p "$root"/{bin,proc,sys,dev,run,tmp,host}
    cp /bin/busybox "$root/bin/busybox"
    for a in $("$root/bin/busybox" --list); do [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"; done
}

# guest_modules ROOT KVER MODULE...: copies each module with its dependencies (modprobe --show-depends) into ROOT and
# appends them, dependencies first and each once, to ROOT/modules.list (the guest init insmods them in that order).
guest_modules() {
    local root=$1 kver=$2; shift 2
    : >>"$root/modules.list"
    local m
    for m in "$@"; do
        modprobe --show-depends -S "$kver" "$m" | awk '$1 == "insmod" {print $2}'
    done | awk '!seen[$0]++' | while read -r ko; do
        mkdir -p "$root$(dirname "$ko")"; cp "$ko" "$root$ko"; echo "$ko" >>"$root/modules.list"
    done
}

# guest_kernel: the newest kernel version with both /boot/vmlinuz-VER and /lib/modules/VER.
guest_kernel() {
    local k v
    for k in /boot/vmlinuz-*; do v=${k#/boot/vmlinuz-}; [ -d "/lib/modules/$v" ] && echo "$v"; done | sort -V | tail -1
}
