# mtx tier, part 3: Amanda's chg-robot (Amanda::Changer::robot, package amanda-server) driving TapeChanger through
# the link named mtx, with amtape as Amanda's operator tool. Real mtx reads the library after each step (the oracle).
# chg-robot wants its changer to be an existing path, so the device is a file holding the iscsi:// URI. The drives
# are Amanda's "null:" devices (tgt's tape LUNs have no st node here), so Amanda cannot read labels: inventory
# shows the barcodes, and loads/unloads are checked in the library itself.
# shellcheck shell=bash

echo "== Amanda chg-robot through the mtx link: inventory, slot N, reset, eject"
command -v amtape >/dev/null || fail "amtape missing (amanda-server not installed)"
amanda_conf=/etc/amanda/tapechanger-mtx-tier-$$
amanda_dir=$work/amanda
mkdir -p "$amanda_conf" "$amanda_dir/state" "$amanda_dir/tc-state"
echo "$uri" > "$amanda_dir/changer"
cat > "$amanda_conf/amanda.conf" <<CONF
org "tapechanger-mtx-tier"
dumpuser "backup"
infofile "$amanda_dir/state/curinfo"
logdir "$amanda_dir/state/log"
indexdir "$amanda_dir/state/index"
tapelist "$amanda_dir/state/tapelist"
labelstr "^[A-Z0-9]+\$"
define changer robot {
    tpchanger "chg-robot:$amanda_dir/changer"
    property "tape-device" "0=null:" "1=null:"
    property "mtx" "$work/bin/mtx"
    property "statefile" "$amanda_dir/state/robot-state"
    property "use-slots" "1-10"
}
tpchanger "robot"
define tapetype TEST {
    length 100 mbytes
}
tapetype "TEST"
CONF
touch "$amanda_dir/state/tapelist"
chmod 755 "$work"
chown -R backup:backup "$amanda_conf" "$amanda_dir"
amtape_run() { (cd /tmp && runuser -u backup -- env TAPECHANGER_STATE_DIR="$amanda_dir/tc-state" amtape "$(basename "$amanda_conf")" "$@" 2>&1); }
drive_holds() { real status | grep -q "^Data Transfer Element $1:Full (Storage Element $2 Loaded)"; }
drives_empty() { [ "$(real status | grep -c '^Data Transfer Element [0-9]*:Empty')" = 2 ]; }

out=$(amtape_run inventory)
for s in 1 2 3 4; do echo "$out" | grep -q "^slot $s: .*barcode A000000$s" || fail "amtape inventory lacks slot $s: $out"; done
echo "$out" | grep -q "^slot 10: .*barcode CLN00001" || fail "amtape inventory lacks the cleaner in slot 10: $out"
echo "$out" | grep -q "^slot 6: empty" || fail "amtape inventory: slot 6 should be empty: $out"
echo "  amtape inventory: barcodes and empty slots as in the library"

out=$(amtape_run slot 2)
echo "$out" | grep -q "changed to slot 2" || fail "amtape slot 2: $out"
drive_holds 0 2 || drive_holds 1 2 || fail "after amtape slot 2 no drive holds slot 2's cartridge: $(real status | head -3)"
echo "  amtape slot 2: a drive holds slot 2's cartridge (checked with mtx)"

out=$(amtape_run reset)
echo "$out" | grep -q "changer is reset" || fail "amtape reset: $out"
echo "  amtape reset: $out"

out=$(amtape_run slot 3)
echo "$out" | grep -q "changed to slot 3" || fail "amtape slot 3: $out"
drive_holds 0 3 || drive_holds 1 3 || fail "after amtape slot 3 no drive holds slot 3's cartridge"
for d in 0 1; do
  if real status | grep -q "^Data Transfer Element $d:Full"; then
    out=$(amtape_run eject "$d")
    echo "$out" | grep -qi "error" && fail "amtape eject $d: $out"
  fi
done
drives_empty || fail "after amtape eject a drive is still full: $(real status | head -3)"
echo "  amtape eject: every drive empty again (checked with mtx)"
same_status "Amanda's moves"
rm -rf "$amanda_conf"
