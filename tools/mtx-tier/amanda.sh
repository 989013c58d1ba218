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

# What real mtx says about slots 1-10 (Amanda's use-slots): "N TAG" for a full slot, "N" for an empty one.
slots_by_mtx() { real status | sed -n 's/^ *Storage Element \([0-9]*\):\(Full\|Empty\)[^=]*=\{0,1\}\([^ ]*\).*/\1 \2 \3/p' | awk '$1 <= 10'; }
out=$(amtape_run inventory)
while read -r n state tag; do
  if [ "$state" = Full ]; then
    echo "$out" | grep -q "^slot $n: .*barcode $tag" || fail "amtape inventory: slot $n should show $tag: $out"
  else
    echo "$out" | grep -q "^slot $n: empty" || fail "amtape inventory: slot $n should be empty: $out"
  fi
done < <(slots_by_mtx)
echo "  amtape inventory: every slot's barcode or emptiness as mtx reads it"
data_slots=$(slots_by_mtx | awk '$2 == "Full" && $3 !~ /^CLN/ {print $1}')
first=$(echo "$data_slots" | sed -n 1p) second=$(echo "$data_slots" | sed -n 2p)
[ -n "$second" ] || fail "need two data cartridges in slots 1-10"

out=$(amtape_run slot "$first")
echo "$out" | grep -q "changed to slot $first" || fail "amtape slot $first: $out"
drive_holds 0 "$first" || drive_holds 1 "$first" || fail "after amtape slot $first no drive holds its cartridge: $(real status | head -3)"
echo "  amtape slot $first: a drive holds slot $first's cartridge (checked with mtx)"

out=$(amtape_run reset)
echo "$out" | grep -q "changer is reset" || fail "amtape reset: $out"
echo "  amtape reset: $out"

out=$(amtape_run slot "$second")
echo "$out" | grep -q "changed to slot $second" || fail "amtape slot $second: $out"
drive_holds 0 "$second" || drive_holds 1 "$second" || fail "after amtape slot $second no drive holds its cartridge"
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
