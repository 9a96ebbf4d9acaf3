#!/usr/bin/env bash
# Packs every PeftSharp package (Release) into one folder:
#   PeftSharp.<version>.nupkg + .snupkg   the library (buildTransitive/ carries the Debian 12 TorchSharp loader fix)
#   peft.<version>.nupkg                  the dotnet tool: names one package per platform ...
#   peft.<rid>.<version>.nupkg            ... each with that platform's libtorch, the shipped model and WordNet tasks
# The version is <Version> in Directory.Build.props. Packages are byte-for-byte reproducible: file times in them are
# the commit's time (SOURCE_DATE_EPOCH) and paths in the PDBs are normalised (ContinuousIntegrationBuild).
# Usage: tools/packaging/pack.sh OUT_DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?usage: tools/packaging/pack.sh OUT_DIR}"
# Outside a git checkout the packages are still made, only not reproducibly.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}"
for project in src/PeftSharp/PeftSharp.csproj src/PeftSharp.Cli/PeftSharp.Cli.csproj; do
  dotnet pack "$root/$project" -c Release -o "$out" --nologo -p:ContinuousIntegrationBuild=true
done
