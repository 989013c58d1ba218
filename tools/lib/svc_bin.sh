# The service tiers' binaries, chosen one way: SVC_BIN (a folder with tapechanger, tapechanger-full and tapechangerd,
# e.g. the NativeAOT artifacts/aot: the lean tapechanger runs every --server and PostgreSQL command in tapechanger-full),
# else the Release build of src/TapeChanger.Server (built when missing) with the CLI run by dotnet from its own build
# (its runtimeconfig names only the base runtime) and tapechangerd put on PATH for `serve`.
# Sets the arrays cli and daemon. Run from the repository root.
svc_binaries() {
  if [[ -n ${SVC_BIN:-} && -x $SVC_BIN/tapechanger && -x $SVC_BIN/tapechangerd ]]; then
    [[ -x $SVC_BIN/tapechanger-full ]] || { echo "SVC_BIN=$SVC_BIN has no tapechanger-full (tools/publish-aot.sh makes it beside tapechanger)" >&2; exit 2; }
    cli=("$SVC_BIN/tapechanger"); daemon=("$SVC_BIN/tapechangerd")
  else
    local bin=src/TapeChanger.Server/bin/Release/net10.0
    [[ -f $bin/tapechangerd.dll ]] || dotnet build src/TapeChanger.Server -c Release -nologo -v quiet
    cli=(dotnet "$PWD/src/TapeChanger.Cli/bin/Release/net10.0/tapechanger.dll"); daemon=("$PWD/$bin/tapechangerd")
    export PATH="$PWD/$bin:$PATH"
  fi
}
