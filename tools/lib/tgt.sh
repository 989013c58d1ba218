# Shared tgt (Linux SCSI target framework) helpers for the tiers: tools/tgt-library.sh, tools/kernel-tier.sh and
# tools/kernel-usb-probe.sh source this file. tgtd is userspace; no kernel modules are needed.
# Facts behind the limits here: docs/reference/tgt.md.

# A free TCP port on 127.0.0.1 (the kernel picks it).
tgt_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A tgtd control number (-C N) whose socket is not in use.
tgt_free_control() {
    local c
    for _ in $(seq 1 200); do
        c=$((1000 + RANDOM % 30000))
        [[ -e /var/run/tgtd/socket.$c || -e /var/run/tgtd/socket.$c.lock ]] || { echo "$c"; return 0; }
    done
    return 1
}

# tgt_start_daemon CONTROL PORT LOG: starts tgtd in its own session on 127.0.0.1:PORT and waits (5 s) until it
# answers tgtadm and listens. Sets TGT_DAEMON_PID. Returns 1 (tgtd killed) when it does not come up.
tgt_start_daemon() {
    local control=$1 port=$2 log=$3 i
    setsid tgtd -f -C "$control" --iscsi "portal=127.0.0.1:$port" >"$log" 2>&1 &
    TGT_DAEMON_PID=$!
    for i in $(seq 1 50); do
        if tgtadm -C "$control" --op show --mode system >/dev/null 2>&1 \
            && ss -Htln "sport = :$port" 2>/dev/null | grep -q .; then
            return 0
        fi
        kill -0 "$TGT_DAEMON_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$TGT_DAEMON_PID" 2>/dev/null || true
    return 1
}

# tgt_stop_daemon PID CONTROL: asks tgtd to shut down, then kill -9 (tgtd ignores SIGTERM); removes its sockets.
tgt_stop_daemon() {
    local pid=$1 control=$2 i
    if kill -0 "$pid" 2>/dev/null; then
        tgtadm -C "$control" --lld iscsi --op delete --mode target --tid 1 --force >/dev/null 2>&1 || true
        tgtadm -C "$control" --op delete --mode system >/dev/null 2>&1 || true
        for i in $(seq 1 20); do
            kill -0 "$pid" 2>/dev/null || break
            [[ $(ps -o stat= -p "$pid" 2>/dev/null) == Z* ]] && break     # a zombie counts as stopped
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null && [[ $(ps -o stat= -p "$pid" 2>/dev/null) != Z* ]]; then
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "/var/run/tgtd/socket.$control" "/var/run/tgtd/socket.$control.lock"
}

# tgt_make_cartridge DIR BARCODE [SIZE_MB]: a tape image DIR/BARCODE; CLN... labels become cleaning cartridges.
# Barcodes are 1-10 characters: tgt keeps them in char[11] and an 11-character one crashes tgtd.
tgt_make_cartridge() {
    local dir=$1 b=$2 size=${3:-4} type=data
    [[ $b =~ ^[A-Za-z0-9_.-]{1,10}$ ]] || { echo "barcode '$b' must be 1-10 characters [A-Za-z0-9_.-] (11 crashes tgtd)" >&2; return 1; }
    [[ $b == CLN* ]] && type=clean
    [[ -f $dir/$b ]] || tgtimg --op new --device-type tape --barcode "$b" --size "$size" --type "$type" --file "$dir/$b" >/dev/null
}

# tgt_small_library CONTROL IQN DIR: the QEMU tiers' library on target 1 of a running tgtd: tape LUNs 1-2 (offline
# until loaded), changer LUN 3 with drives at elements 1-2, the picker at 3, storage 4-11 (mtx slots 1-8) holding
# TC0001L6..TC0004L6 and CLN001L1 in slots 1-5, import/export 12-13 (slots 9-10). Images live in DIR.
tgt_small_library() {
    local control=$1 iqn=$2 vtl=$3 lun addr bc
    t() { tgtadm -C "$control" --lld iscsi "$@"; }
    t --op new --mode target --tid 1 -T "$iqn" || return 1
    for lun in 1 2; do
        tgtimg --op new --device-type tape --barcode "DRV00$lun" --size 1 --type data --file "$vtl/drive$lun.img" >/dev/null
        t --op new --mode logicalunit --tid 1 --lun $lun -b "$vtl/drive$lun.img" --device-type=tape
        t --op update --mode logicalunit --tid 1 --lun $lun --params online=0
    done
    : >"$vtl/smc"
    t --op new --mode logicalunit --tid 1 --lun 3 -b "$vtl/smc" --device-type=changer
    t --op update --mode logicalunit --tid 1 --lun 3 --params media_home="$vtl"
    t --op update --mode logicalunit --tid 1 --lun 3 --params element_type=4,start_address=1,quantity=2
    t --op update --mode logicalunit --tid 1 --lun 3 --params element_type=4,address=1,tid=1,lun=1
    t --op update --mode logicalunit --tid 1 --lun 3 --params element_type=4,address=2,tid=1,lun=2
    t --op update --mode logicalunit --tid 1 --lun 3 --params element_type=1,start_address=3,quantity=1
    t --op update --mode logicalunit --tid 1 --lun 3 --params element_type=2,start_address=4,quantity=8
    t --op update --mode logicalunit --tid 1 --lun 3 --params element_type=3,start_address=12,quantity=2
    addr=4
    for bc in TC0001L6 TC0002L6 TC0003L6 TC0004L6 CLN001L1; do
        tgt_make_cartridge "$vtl" "$bc" 1
        t --op update --mode logicalunit --tid 1 --lun 3 --params "element_type=2,address=$addr,barcode=$bc,sides=1"
        addr=$((addr + 1))
    done
    t --op bind --mode target --tid 1 -I ALL
}
