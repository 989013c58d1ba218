#!/usr/bin/env bash
# Builds the sg bridge (test tooling): tools/sgbridge/build.sh [OUTDIR]; prints the path of libsgbridge.so.
# Needs a C compiler and libiscsi's headers (Debian libiscsi-dev, installed here when missing and root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../artifacts/sgbridge}
mkdir -p "$out"
if [ ! -e /usr/include/iscsi/iscsi.h ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libiscsi-dev >/dev/null
  else
    echo "sgbridge: libiscsi headers missing (apt-get install libiscsi-dev)" >&2; exit 1
  fi
fi
cc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$out/libsgbridge.so" "$here/sgbridge.c" -ldl -liscsi
cd "$out" && echo "$PWD/libsgbridge.so"
