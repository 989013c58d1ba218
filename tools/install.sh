#!/usr/bin/env bash
# Installs the NativeAOT tapechanger (self-contained; hardware profiles are built in): PREFIX/bin/tapechanger, built
# without the service client and PostgreSQL so that it starts faster, and PREFIX/bin/tapechanger-full beside it, which
# tapechanger runs in its place for a command that goes to a service or uses a PostgreSQL state database.
#   tools/install.sh [--mtx-link [--replace-mtx]] [--no-build] [--sysconfdir DIR] [PREFIX]
#     PREFIX          default /usr/local; installs PREFIX/bin/tapechanger and tapechanger-full, the man page PREFIX/share/man/man1/tapechanger.1
#                     and bash/zsh/fish completion under PREFIX/share (all made by the binary from its command definitions)
#     --sysconfdir    default /etc/tapechanger; DIR/appsettings.json is installed when there is none (never overwritten)
#     --mtx-link      also PREFIX/bin/mtx -> tapechanger: run by that name, tapechanger is mtx (mtx's command line,
#                     text and exit statuses), so scripts that call mtx use TapeChanger unchanged
#     --replace-mtx   allow --mtx-link to replace an existing PREFIX/bin/mtx (never done otherwise)
#     --no-build      install artifacts/aot/tapechanger and tapechanger-full as they are (default: tools/publish-aot.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=/usr/local link=0 replace=0 build=1 sysconf=/etc/tapechanger
while [ $# -gt 0 ]; do
  case $1 in
    --mtx-link) link=1 ;;
    --replace-mtx) replace=1 ;;
    --no-build) build=0 ;;
    --sysconfdir) shift; sysconf=${1:?--sysconfdir needs a directory} ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "install: unknown option $1 (see --help)" >&2; exit 64 ;;
    *) prefix=$1 ;;
  esac
  shift
done
[ "$replace" = 1 ] && [ "$link" = 0 ] && { echo "install: --replace-mtx only goes with --mtx-link" >&2; exit 64; }

if [ "$build" = 1 ]; then tools/publish-aot.sh >/dev/null; fi
bin=artifacts/aot/tapechanger
for b in "$bin" "$bin-full"; do
  [ -x "$b" ] || { echo "install: $b not found; run tools/publish-aot.sh" >&2; exit 66; }
done

mkdir -p "$prefix/bin"
# tapechanger-full first: a tapechanger that hands a command over never finds it missing or half written.
for name in tapechanger-full tapechanger; do
  install -m 0755 "artifacts/aot/$name" "$prefix/bin/$name.new"
  mv -f "$prefix/bin/$name.new" "$prefix/bin/$name"
  echo "installed $prefix/bin/$name"
done

tc=$prefix/bin/tapechanger
mkdir -p "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
"$tc" man >"$prefix/share/man/man1/tapechanger.1"
"$tc" completion bash >"$prefix/share/bash-completion/completions/tapechanger"
"$tc" completion zsh >"$prefix/share/zsh/site-functions/_tapechanger"
"$tc" completion fish >"$prefix/share/fish/vendor_completions.d/tapechanger.fish"
echo "installed the man page tapechanger(1) and bash, zsh and fish completion under $prefix/share"
if [ ! -e "$sysconf/appsettings.json" ]; then
  mkdir -p "$sysconf"
  install -m 0644 appsettings.json "$sysconf/appsettings.json"
  echo "installed $sysconf/appsettings.json (the defaults; edit Device for your library)"
fi

if [ "$link" = 1 ]; then
  target=$prefix/bin/mtx
  if [ -L "$target" ] && [ "$(readlink "$target")" = tapechanger ]; then
    echo "$target already links to tapechanger"
  elif [ -e "$target" ] || [ -L "$target" ]; then
    if [ "$replace" = 0 ]; then
      echo "install: $target exists (the real mtx?); not replacing it without --replace-mtx" >&2
      exit 73
    fi
    mv -f "$target" "$target.orig-$(date +%Y%m%d%H%M%S)"
    ln -s tapechanger "$target"
    echo "replaced $target with a link to tapechanger (the old one was kept beside it)"
  else
    ln -s tapechanger "$target"
    echo "linked $target -> tapechanger"
  fi
  first=$(command -v mtx || true)
  if [ -n "$first" ] && [ "$(readlink -f "$first")" != "$(readlink -f "$prefix/bin/tapechanger")" ]; then
    echo "note: 'mtx' on PATH is still $first; call $target by its full path or put $prefix/bin first" >&2
  fi
fi
