#!/usr/bin/env bash
# Builds the status floor (benchmark tooling, see Program.cs): tools/status-floor/build.sh OUTDIR [--jit]; prints the
# command that runs it. NativeAOT by default, linked as the CLI is (position-dependent, type data kept ready, the same
# collector settings; src/TapeChanger.Cli/TapeChanger.Cli.csproj), so that a time beside `tapechanger status` differs
# by TapeChanger's own work and not by the image's start. --jit builds it for the runtime instead (a quick check that it
# still builds and reads a library: tools/tgt-tier.sh). Its project file is made here, outside the repository's tree,
# so the repository's analyzers and warnings-as-errors do not apply to it, as to the hello world tools/bench.sh builds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR [--jit]}
mkdir -p "$out"
cat >"$out/status-floor.csproj" <<'PROJ'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><PublishAot>true</PublishAot>
  <InvariantGlobalization>true</InvariantGlobalization><AllowUnsafeBlocks>true</AllowUnsafeBlocks>
  <IlcDehydrate>false</IlcDehydrate><PositionIndependentExecutable>false</PositionIndependentExecutable></PropertyGroup>
  <ItemGroup><IlcArg Include="--runtimeopt:GCgen0size=400000" /><IlcArg Include="--runtimeopt:GCLOHThreshold=40000" /></ItemGroup>
</Project>
PROJ
cp "$here/Program.cs" "$out/"
cd "$out"
if [ "${2:-}" = --jit ]; then
  dotnet build -c Release -o jit -nologo -v quiet >/dev/null
  echo "dotnet $PWD/jit/status-floor.dll"
else
  dotnet publish -c Release -r linux-x64 -o out -nologo -v quiet >/dev/null
  echo "$PWD/out/status-floor"
fi
