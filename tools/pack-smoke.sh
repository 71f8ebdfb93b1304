#!/usr/bin/env bash
# Packs the solution and uses the packages as a new user would: only the intended packages, no pack warnings, licence,
# README, NOTICE and symbols in each; then a new console app restores MxDataIO from a local folder feed and runs, and
# the im2rec tool installs from the same feed and runs. Network: the NuGet source already configured (dependencies).
# Run by .ci/run after the tests; locally: tools/pack-smoke.sh (about 1-2 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work="$(mktemp -d /tmp/mxdataio-pack-smoke.XXXXXX)"
trap 'rm -rf "$work"' EXIT
feed="$work/feed"
version="0.1.0-smoke.$(date +%s)"   # a version no cache has seen, so the app restores exactly these packages

fail() { echo "pack-smoke: $*" >&2; exit 1; }

echo "== dotnet pack Pipeline.sln ($version)"
dotnet pack Pipeline.sln -c Release -o "$feed" -p:VersionPrefix="${version%%-*}" -p:VersionSuffix="${version#*-}" > "$work/pack.log" 2>&1 || { cat "$work/pack.log"; fail "dotnet pack failed"; }
if grep -E ': warning( |:)' "$work/pack.log"; then fail "dotnet pack printed warnings"; fi

expected="MxDataIO MxDataIO.Core MxDataIO.Storage.S3 MxDataIO.Tools MxDataIO.TorchSharp"
actual="$(cd "$feed" && ls *.nupkg | sed "s/\.$version\.nupkg$//" | sort | tr '\n' ' ' | sed 's/ $//')"
[ "$actual" = "$expected" ] || fail "packages are [$actual], expected [$expected]"
for id in $expected; do
    nupkg="$feed/$id.$version.nupkg"
    snupkg="$feed/$id.$version.snupkg"
    [ -f "$snupkg" ] || fail "$id has no symbol package"
    # Listings are read whole before grep: `unzip | grep -q` can die of SIGPIPE when grep stops early, which pipefail
    # would report as a missing file.
    symbols="$(unzip -l "$snupkg")"
    grep -q '\.pdb$' <<<"$symbols" || fail "$id's symbol package holds no PDB"
    nuspec="$(unzip -p "$nupkg" "$id.nuspec")"
    grep -q '<license type="expression">Apache-2.0</license>' <<<"$nuspec" || fail "$id has no Apache-2.0 licence expression"
    grep -q '<readme>README.md</readme>' <<<"$nuspec" || fail "$id has no README"
    grep -q '<description>' <<<"$nuspec" || fail "$id has no description"
    ! grep -q '<description>Package Description</description>' <<<"$nuspec" || fail "$id has the placeholder description"
    grep -q '<repository type="git"' <<<"$nuspec" || fail "$id has no repository (SourceLink) metadata"
    listing="$(unzip -l "$nupkg")"
    for file in README.md NOTICE LICENSE; do grep -q " $file\$" <<<"$listing" || fail "$id lacks $file"; done
done
echo "   $(ls "$feed" | wc -l) files: $expected (+ .snupkg each)"

echo "== a new console app referencing MxDataIO from the folder feed"
app="$work/app"
mkdir -p "$app"
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$feed" />
  </packageSources>
</configuration>
XML
cat > "$app/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="MxDataIO" Version="$version" />
  </ItemGroup>
</Project>
XML
cat > "$app/Program.cs" <<'CS'
using System.Text;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.Iterators;

string rec = Path.Combine(Path.GetTempPath(), $"smoke-{Environment.ProcessId}.rec");
using (var writer = new RecordIOWriter(rec))
    for (int i = 0; i < 5; i++) writer.Write(Encoding.ASCII.GetBytes($"record_{i}"));
int records = 0;
using (var reader = new RecordIOReader(rec))
    while (reader.Read() is not null) records++;

using var iter = new NDArrayIter(NDArray.From(new float[300], 100, 3), NDArray.From(new float[100], 100), batchSize: 30);
int batches = 0;
await foreach (DataBatch batch in iter) { using (batch) batches++; }
Console.WriteLine($"records={records} batches={batches} of {iter.BatchesPerEpoch} rec={rec}");
return records == 5 && batches == 4 && iter.BatchesPerEpoch == 4 ? 0 : 1;
CS
# $work/nuget.config adds the folder feed to the machine's NuGet sources: MxDataIO comes from the feed (its version exists
# nowhere else), its dependencies (ImageSharp, System.Numerics.Tensors, logging abstractions) from the configured source.
dotnet restore "$app/app.csproj" > "$work/restore.log" 2>&1 || { cat "$work/restore.log"; fail "restore failed"; }
dotnet build "$app/app.csproj" --no-restore -c Release > "$work/build.log" 2>&1 || { cat "$work/build.log"; fail "the app did not build"; }
out="$(dotnet "$app/bin/Release/net10.0/app.dll")" || { echo "$out"; fail "the app failed"; }
echo "   $out"

echo "== dotnet tool install MxDataIO.Tools from the folder feed"
dotnet tool install MxDataIO.Tools --version "$version" --tool-path "$work/tools" --add-source "$feed" > "$work/tool.log" 2>&1 || { cat "$work/tool.log"; fail "tool install failed"; }
rec="$(sed -n 's/.*rec=//p' <<<"$out")"
verify="$("$work/tools/im2rec" rec verify "$rec")" || { echo "$verify"; fail "im2rec rec verify failed"; }
rm -f "$rec"
echo "   $verify"
[[ "$verify" == *"OK, 5 records"* ]] || fail "unexpected im2rec output: $verify"
echo "pack-smoke: OK"
