#!/usr/bin/env bash
# A throw-away tape library served by tgt (Linux SCSI target framework) over iSCSI on loopback.
# No kernel modules: tgtd is userspace and the initiator is our own managed one.
#
#   tools/tgt-library.sh start            start tgtd, build the library, print the changer URI
#   tools/tgt-library.sh stop             stop that tgtd (tgtadm delete system, then kill -9: tgtd ignores SIGTERM)
#   tools/tgt-library.sh insert ADDR BARCODE   operator puts cartridge BARCODE into IE element ADDR (no UA in tgt)
#   tools/tgt-library.sh remove ADDR      operator empties IE element ADDR
#   tools/tgt-library.sh uri | status     print the URI / whether tgtd is alive
#
# State: TGT_STATE_FILE (default ${TMPDIR:-/tmp}/tapechanger-tgt-$USER.state), a shell fragment with
#   TGT_URI TGT_PID TGT_CONTROL TGT_PORT TGT_IQN TGT_DIR TGT_CHANGER_LUN
# Geometry and contents (environment, defaults in brackets):
#   TGT_IQN [iqn.2026-11.dev.tapechanger:vtl]
#   TGT_PICKER [1]  TGT_SLOT_START [1000] TGT_SLOTS [10]  TGT_IE_START [10] TGT_IE [2]
#   TGT_DRIVE_START [500] TGT_DRIVES [2]         drives are tape LUNs 1..N, the changer is LUN N+1
#   TGT_SLOT_MEDIA  ["1000:A0000001 1001:A0000002 1002:A0000003 1003:A0000004 1009:CLN00001"]
#   TGT_IE_MEDIA    [""]                          same ADDR:BARCODE form, for IE elements
#   Barcodes starting with CLN become cleaning cartridges (tgtimg --type clean). Barcodes are at most 10
#   characters: an 11-character barcode overflows tgt's barcode[11] and crashes tgtd (docs/reference/tgt.md §2).
#   TGT_CHAP_USER / TGT_CHAP_SECRET               when both set, the target requires CHAP for that account
#   TGT_VENDOR [STK] TGT_PRODUCT [L700] TGT_REV [0108] TGT_SERIAL [XYZZY_A]
set -euo pipefail

STATE_FILE=${TGT_STATE_FILE:-${TMPDIR:-/tmp}/tapechanger-tgt-${USER:-$(id -un)}.state}
# shellcheck source=lib/tgt.sh
source "$(dirname "$0")/lib/tgt.sh"

die() { echo "tgt-library: $*" >&2; exit 1; }

load_state() {
    [[ -f $STATE_FILE ]] || die "no state file $STATE_FILE (not started?)"
    # shellcheck disable=SC1090
    source "$STATE_FILE"
}

adm() { tgtadm -C "$TGT_CONTROL" "$@"; }
lu_update() { adm --lld iscsi --mode logicalunit --op update --tid 1 --lun "$TGT_CHANGER_LUN" --params "$1"; }

make_cartridge() { tgt_make_cartridge "$TGT_DIR/media" "$1" || die "invalid barcode"; }

cmd_start() {
    command -v tgtd >/dev/null && command -v tgtadm >/dev/null && command -v tgtimg >/dev/null \
        || die "tgt is not installed (apt-get install tgt)"
    if [[ -f $STATE_FILE ]]; then
        # shellcheck disable=SC1090
        source "$STATE_FILE"
        if kill -0 "${TGT_PID:-0}" 2>/dev/null; then die "already running (pid $TGT_PID, $STATE_FILE); stop it first"; fi
    fi
    TGT_IQN=${TGT_IQN:-iqn.2026-11.dev.tapechanger:vtl}
    local picker=${TGT_PICKER:-1} slot0=${TGT_SLOT_START:-1000} slots=${TGT_SLOTS:-10}
    local ie0=${TGT_IE_START:-10} ies=${TGT_IE:-2} drive0=${TGT_DRIVE_START:-500} drives=${TGT_DRIVES:-2}
    local slot_media=${TGT_SLOT_MEDIA-1000:A0000001 1001:A0000002 1002:A0000003 1003:A0000004 1009:CLN00001}
    local ie_media=${TGT_IE_MEDIA-}
    TGT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tapechanger-tgt.XXXXXX")
    mkdir -p "$TGT_DIR/media"
    dd if=/dev/zero of="$TGT_DIR/smc" bs=1k count=1 status=none
    TGT_CHANGER_LUN=$((drives + 1))

    local attempt
    for attempt in 1 2 3; do
        TGT_PORT=$(tgt_free_port)
        TGT_CONTROL=$(tgt_free_control) || die "no free tgtd control port found"
        if tgt_start_daemon "$TGT_CONTROL" "$TGT_PORT" "$TGT_DIR/tgtd.log"; then
            TGT_PID=$TGT_DAEMON_PID
            disown "$TGT_PID" 2>/dev/null || true
            break
        fi
        [[ $attempt == 3 ]] && { cat "$TGT_DIR/tgtd.log" >&2; die "tgtd did not start"; }
    done

    {
        echo "TGT_URI=iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/$TGT_CHANGER_LUN"
        echo "TGT_PID=$TGT_PID"; echo "TGT_CONTROL=$TGT_CONTROL"; echo "TGT_PORT=$TGT_PORT"
        echo "TGT_IQN=$TGT_IQN"; echo "TGT_DIR=$TGT_DIR"; echo "TGT_CHANGER_LUN=$TGT_CHANGER_LUN"
    } >"$STATE_FILE"

    adm --lld iscsi --op new --mode target --tid 1 -T "$TGT_IQN"
    local d
    for d in $(seq 1 "$drives"); do
        adm --lld iscsi --mode logicalunit --op new --tid 1 --lun "$d" --bstype=ssc --device-type=tape
        adm --lld iscsi --mode logicalunit --op update --tid 1 --lun "$d" \
            --params "vendor_id=IBM,product_id=ULT3580-TD8,product_rev=0108,scsi_sn=$(printf 'DRV%05d' "$d")"
    done
    adm --lld iscsi --mode logicalunit --op new --tid 1 --lun "$TGT_CHANGER_LUN" --bstype=smc --device-type=changer -b "$TGT_DIR/smc"
    adm --lld iscsi --mode logicalunit --op update --tid 1 --lun "$TGT_CHANGER_LUN" \
        --params "vendor_id=${TGT_VENDOR:-STK},product_id=${TGT_PRODUCT:-L700},product_rev=${TGT_REV:-0108},scsi_sn=${TGT_SERIAL:-XYZZY_A}"
    lu_update "media_home=$TGT_DIR/media"
    lu_update "element_type=1,start_address=$picker,quantity=1"
    lu_update "element_type=2,start_address=$slot0,quantity=$slots"
    ((ies > 0)) && lu_update "element_type=3,start_address=$ie0,quantity=$ies"
    lu_update "element_type=4,start_address=$drive0,quantity=$drives"
    for d in $(seq 1 "$drives"); do
        lu_update "element_type=4,address=$((drive0 + d - 1)),tid=1,lun=$d"
    done
    local m
    for m in $slot_media; do
        make_cartridge "${m#*:}"
        lu_update "element_type=2,address=${m%%:*},barcode=${m#*:}"
    done
    for m in $ie_media; do
        make_cartridge "${m#*:}"
        lu_update "element_type=3,address=${m%%:*},barcode=${m#*:}"
    done
    if [[ -n ${TGT_CHAP_USER:-} && -n ${TGT_CHAP_SECRET:-} ]]; then
        adm --lld iscsi --mode account --op new --user "$TGT_CHAP_USER" --password "$TGT_CHAP_SECRET"
        adm --lld iscsi --mode account --op bind --tid 1 --user "$TGT_CHAP_USER"
    fi
    adm --lld iscsi --mode target --op bind --tid 1 -I ALL
    echo "iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/$TGT_CHANGER_LUN"
}

cmd_stop() {
    [[ -f $STATE_FILE ]] || return 0
    load_state
    tgt_stop_daemon "$TGT_PID" "$TGT_CONTROL"
    [[ -n ${TGT_DIR:-} && $TGT_DIR == */tapechanger-tgt.* ]] && rm -rf "$TGT_DIR"
    rm -f "$STATE_FILE"
}

cmd_insert() {
    (($# == 2)) || die "usage: insert IE-ADDRESS BARCODE"
    load_state
    make_cartridge "$2"
    lu_update "element_type=3,address=$1,barcode=$2"
}

cmd_remove() {
    (($# == 1)) || die "usage: remove IE-ADDRESS"
    load_state
    lu_update "element_type=3,address=$1,clear_slot=1"
}

case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    insert) shift; cmd_insert "$@" ;;
    remove) shift; cmd_remove "$@" ;;
    uri) load_state; echo "$TGT_URI" ;;
    status) load_state; if kill -0 "$TGT_PID" 2>/dev/null; then echo "running pid $TGT_PID $TGT_URI"; else echo "stopped"; exit 1; fi ;;
    *) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
