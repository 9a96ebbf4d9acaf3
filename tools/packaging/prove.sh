#!/usr/bin/env bash
# Proves the packages the way a user meets them, in a temporary folder outside the repository, with a NuGet config that
# sees only the freshly made packages and this machine's ordinary feeds:
#   pack     tools/packaging/pack.sh; every .nupkg under nuget.org's 250 MB limit
#   tool     dotnet tool install --tool-path; peft --version, peft train --help, a 3-step peft train on a shipped task,
#            peft inspect loads the adapter back onto the shipped model
#   library  dotnet new console + dotnet add package PeftSharp; README's "From C#" snippet as Program.cs, dotnet run
#   test     dotnet test of an xunit project that references the console app (a consumer of a consumer)
#   publish  dotnet publish framework-dependent and self-contained -r linux-x64; the published programs run
# A failure names its step. Nothing outside the temporary folder is written except NuGet's download cache; packages
# already in this machine's global packages folder are used from there (read-only), ours are unpacked privately.
# Usage: tools/packaging/prove.sh
set -euo pipefail -o errtrace
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

step="set-up"
trap 'echo "package proof FAILED in step \"$step\" (command: $BASH_COMMAND)" >&2' ERR
fail() { echo "package proof FAILED in step \"$step\": $*" >&2; exit 1; }
begin() { step="$1"; echo "== package proof: $1 ($SECONDS s)"; }
# Runs a command quietly; on failure shows its output.
quiet() { local log="$work/$step.log"; "$@" > "$log" 2>&1 || { cat "$log" >&2; return 1; }; }

work="$(mktemp -d "${TMPDIR:-/tmp}/peftsharp-proof.XXXXXX")"
trap 'rm -rf "$work"' EXIT
case "$work/" in "$root"/*) fail "the temporary folder $work is inside the repository" ;; esac
feed="$work/feed" tools="$work/tools" app="$work/app"
version="$(dotnet msbuild "$root/src/PeftSharp/PeftSharp.csproj" -getProperty:Version)"

# NuGet: our folder first, then the feeds this machine already uses (read before NUGET_PACKAGES is changed).
# Packages are unpacked into a private folder, so a PeftSharp of the same version unpacked earlier cannot stand in for
# the one made now; the machine's global packages folder serves the rest (TorchSharp's libtorch) without a copy.
global_packages="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: *//')"
mapfile -t sources < <(cd "$work" && dotnet nuget list source --format short | awk '$1 == "E" { print $2 }')
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo '  <packageSources>'
  echo '    <clear />'
  echo "    <add key=\"peftsharp-proof\" value=\"$feed\" />"
  for i in "${!sources[@]}"; do echo "    <add key=\"feed$i\" value=\"${sources[$i]}\" />"; done
  echo '  </packageSources>'
  echo "  <fallbackPackageFolders><add key=\"global\" value=\"$global_packages\" /></fallbackPackageFolders>"
  echo '</configuration>'
} > "$work/NuGet.config"
export NUGET_PACKAGES="$work/packages"

# Is the package NuGet used ($1) the one just made ($feed/$2), not a stale copy of the same version from a cache?
same_package() { cmp -s "$1" "$feed/$2" || fail "$1 is not the $2 just made (a stale cache?)"; }

begin "pack"
quiet "$root/tools/packaging/pack.sh" "$feed"
limit=$((250 * 1024 * 1024))
for package in PeftSharp.$version.nupkg PeftSharp.$version.snupkg peft.$version.nupkg \
               peft.linux-x64.$version.nupkg peft.osx-arm64.$version.nupkg peft.win-x64.$version.nupkg; do
  [ -f "$feed/$package" ] || fail "$package was not made"
  size=$(stat -c %s "$feed/$package")
  awk -v name="$package" -v size="$size" 'BEGIN { printf "   %-36s %7.1f MB\n", name, size / 1e6 }'
  [ "$size" -lt "$limit" ] || fail "$package is $size bytes, over nuget.org's 250 MB limit"
done

begin "tool"
quiet dotnet tool install peft --version "$version" --tool-path "$tools" --configfile "$work/NuGet.config"
peft="$tools/peft"
installed="$(dirname "$(readlink -f "$peft")")"
same_package "$tools/.store/peft/$version/peft.linux-x64/$version/peft.linux-x64.$version.nupkg" "peft.linux-x64.$version.nupkg"
assets="$installed/assets"
model="$assets/models/wordnet-gpt2"
for file in "$model/model.safetensors" "$assets/wordnet/tasks/wn-lexname/train.jsonl" "$assets/wordnet/LICENSE" "$installed/LICENSE-LIBTORCH.txt"; do
  [ -f "$file" ] || fail "the installed tool lacks $file"
done
printed="$("$peft" --version)"
[ "$printed" = "$version" ] || fail "peft --version printed '$printed', expected '$version'"
help="$("$peft" train --help)"
[[ "$help" == *--max-steps* ]] || fail "peft train --help does not list --max-steps"
quiet "$peft" train --model "$model" --data "$assets/wordnet/tasks/wn-lexname/train.jsonl" --task classification \
  --method lora --max-steps 3 --batch-size 8 --out "$work/run"
report="$("$peft" inspect --adapter "$work/run" --model "$model" --json 2>/dev/null)"
[[ "$report" == *'"method": "lora"'* ]] || fail "peft inspect did not load the trained LoRA adapter back"

begin "library"
cd "$work"
quiet dotnet new console -o "$app" --no-restore
cd "$app"
quiet dotnet add package PeftSharp --version "$version"
package="$NUGET_PACKAGES/peftsharp/$version"
same_package "$package/peftsharp.$version.nupkg" "PeftSharp.$version.nupkg"
for file in buildTransitive/PeftSharp.targets buildTransitive/WeakenElfVersionNeed.cs lib/net10.0/PeftSharp.xml README.md; do
  [ -f "$package/$file" ] || fail "the PeftSharp package lacks $file"
done
[ -z "$(find "$package" \( -name '*.safetensors' -o -name '*.jsonl' \) -print -quit)" ] || fail "the PeftSharp package carries model or data files"
# README's "From C#" snippet, as it is; it runs in a folder where its relative model path finds the tool's copy.
awk '/^## From C#/ { section = 1; next } /^## / { section = 0 } section && /^```csharp/ { code = 1; next } code && /^```/ { exit } code' \
  "$root/README.md" > Program.cs
[ -s Program.cs ] || fail "README.md has no csharp block under '## From C#'"
# Runs the app ("$@"), checks it printed a parameter summary and saved an adapter that peft loads back onto the model.
check_app() {
  local cwd="$work/$step-cwd" config
  rm -rf "$cwd" && mkdir "$cwd" && ln -s "$assets" "$cwd/assets"
  (cd "$cwd" && "$@") > "$work/$step.out" 2>&1 || { cat "$work/$step.out" >&2; fail "the app exited with an error"; }
  grep -q "trainable" "$work/$step.out" || { cat "$work/$step.out" >&2; fail "the app printed no parameter summary"; }
  config="$(find "$cwd" -name adapter_config.json -print -quit)"
  [ -n "$config" ] || fail "the app saved no adapter"
  quiet "$peft" inspect --adapter "$(dirname "$config")" --model "$model"
}
check_app dotnet run --project "$app" --no-restore

begin "test"
mkdir "$work/tests" && cd "$work/tests"
# The test packages and versions of the repository's own tests (already restored on a machine that ran them).
grep -E '<PackageReference Include="(Microsoft.NET.Test.Sdk|xunit|xunit.runner.visualstudio)"' "$root/tests/PeftSharp.Tests/PeftSharp.Tests.csproj" > references
[ "$(wc -l < references)" -eq 3 ] || fail "cannot read the test packages from tests/PeftSharp.Tests/PeftSharp.Tests.csproj"
cat > tests.csproj <<CSPROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <IsPackable>false</IsPackable>
  </PropertyGroup>
  <ItemGroup>
$(cat references)
    <ProjectReference Include="../app/app.csproj" />
  </ItemGroup>
</Project>
CSPROJ
cat > TorchLoads.cs <<'CS'
public class TorchLoads
{
    [Xunit.Fact]
    public void A_tensor_sums_through_libtorch()
    {
        using var ones = TorchSharp.torch.ones(3);
        Xunit.Assert.Equal(3f, ones.sum().item<float>());
    }
}
CS
quiet dotnet test
grep -q "Passed!.*Passed: *1" "$work/test.log" || { cat "$work/test.log" >&2; fail "dotnet test did not pass its one test"; }

begin "publish"
cd "$app"
quiet dotnet publish -o "$work/framework-dependent"
check_app dotnet "$work/framework-dependent/app.dll"
quiet dotnet publish -r linux-x64 --self-contained -o "$work/self-contained"
check_app "$work/self-contained/app"

step="done"
echo "== package proof: passed in $SECONDS s"
