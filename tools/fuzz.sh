#!/usr/bin/env bash
# Fuzz targets at scale (CI step after the tests): every decoder, 100,000 cases each by default, random inputs and
# mutations of the real captures in tests/Fixtures. Arguments go to the fuzzer, e.g.
#   tools/fuzz.sh --cases 1000000 --target element-status
#   tools/fuzz.sh --seed 20261124 --target sense --case 4711      (replays one case and prints its bytes)
# Exit status: 0 clean, 1 a violation (printed with its seed, case index and input hex), 3 a hang, 64 bad arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tools/TapeChanger.Fuzz -c Release -nologo -v quiet
exec dotnet tools/TapeChanger.Fuzz/bin/Release/net10.0/tapechanger-fuzz.dll --fixtures tests/Fixtures "$@"
