#!/usr/bin/env bash
# mtx tier: Debian's real mtx 1.3.12 against `tapechanger mtx` on one tgt library, byte for byte, then the backup
# programs' own changer scripts on both (Bacula's mtx-changer; Amanda's chg-robot). Real mtx reaches tgt through
# tools/sgbridge (an LD_PRELOAD shim answering SG_IO on a mapped file from the iSCSI LUN); TapeChanger speaks
# iscsi:// itself. The header line names the device, which differs (a mapped file vs the URI), so it is compared
# with the device name replaced; every other byte is compared as is.
#   tools/mtx-tier.sh            needs root (tgtd, apt-get, runuser for Amanda's backup user); uses
#                                artifacts/aot/tapechanger, publishing it (tools/publish-aot.sh) when missing
# Parts: tools/mtx-tier/common.sh (helpers), mtx.sh (mtx vs mtx), bacula.sh (mtx-changer), amanda.sh (chg-robot).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
need=""
for p in tgt mtx bacula-sd amanda-server libencode-locale-perl; do dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"; done
if [ -n "$need" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
so=$(tools/sgbridge/build.sh | tail -n 1)

work=$(mktemp -d /tmp/tapechanger-mtx-tier.XXXXXX)
export TGT_STATE_FILE=$work/tgt.state TAPECHANGER_STATE_DIR=$work/state
cleanup() {
  tools/tgt-library.sh stop >/dev/null 2>&1 || true
  if [ -n "${amanda_conf:-}" ]; then rm -rf "$amanda_conf"; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The NativeAOT binary (what install.sh installs), also reachable as a link named mtx: the drop-in form scripts use.
# Installed by tools/install.sh, which must refuse to replace an existing mtx unless told to.
[ -x artifacts/aot/tapechanger ] || tools/publish-aot.sh >/dev/null
mkdir -p "$work/other/bin" && echo "not ours" > "$work/other/bin/mtx"
set +e; tools/install.sh --no-build --sysconfdir "$work/etc" --mtx-link "$work/other" >/dev/null 2>&1; rc=$?; set -e
[ "$rc" = 73 ] && [ "$(cat "$work/other/bin/mtx")" = "not ours" ] || { echo "mtx-tier: install.sh replaced an existing mtx (exit $rc)" >&2; exit 1; }
tools/install.sh --no-build --sysconfdir "$work/etc" --mtx-link --replace-mtx "$work/other" >/dev/null 2>&1
[ "$(readlink "$work/other/bin/mtx")" = tapechanger ] || { echo "mtx-tier: --replace-mtx did not link mtx" >&2; exit 1; }
tools/install.sh --no-build --sysconfdir "$work/etc" --mtx-link "$work" >/dev/null
TC=$work/bin/tapechanger

# tgt-library.sh defaults: slots 1000-1009 (A0000001-4 in 1-4, CLN00001 in 10), IE 10-11 (mtx slots 11-12), drives 500-501.
uri=$(TGT_IE_MEDIA="10:IEA00001" tools/tgt-library.sh start | tail -n 1)
dev=$work/changer
touch "$dev"
export SGBRIDGE_MAP="$dev=$uri"

export root so work uri dev TC
. tools/mtx-tier/common.sh
. tools/mtx-tier/mtx.sh
. tools/mtx-tier/bacula.sh
. tools/mtx-tier/amanda.sh
echo "mtx tier: passed ($checks comparisons)"
