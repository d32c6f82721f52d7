#!/usr/bin/env bash
# Packs AecOfa.Engine, AecOfa.Audio, AecOfa.Nas, AecOfa.Pipelines and the AecOfa.Cli tool into a temporary folder, then builds and runs
# a tiny consumer project (tests/PackageConsumer/Program.cs.txt) against that folder ONLY (offline: the other
# NuGet source is the local global-packages cache, for the packages' own dependencies), and installs and runs the
# `aecofa` tool from it. Our packages are restored into a temporary NUGET_PACKAGES, so the user's cache is untouched.
# Usage: tests/pack-consume.sh [--keep]   (prints "pack-consume: OK" and package sizes; exit 1 on any failure)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
work=$(mktemp -d)
[ "${1:-}" = "--keep" ] && echo "pack-consume: working in $work" || trap 'rm -rf "$work"' EXIT
version="0.1.0-local.$(date +%s)"
feed="$work/feed"
start=$SECONDS
for p in Engine Audio Nas Pipelines Cli; do
  dotnet pack "src/AecOfa.$p/AecOfa.$p.csproj" -c Release -o "$feed" -p:Version="$version" -p:AECOFA_PACK=1 -nologo -v:q >"$work/pack-$p.log" 2>&1 \
    || { cat "$work/pack-$p.log"; echo "pack-consume: dotnet pack AecOfa.$p failed"; exit 1; }
done
echo "pack-consume: packed in $((SECONDS - start)) s:"
ls -l "$feed" | awk 'NR > 1 { printf "  %-40s %8.1f KiB\n", $9, $5 / 1024 }'

app="$work/consumer"
mkdir -p "$app"
cp tests/PackageConsumer/Program.cs.txt "$app/Program.cs"
cat >"$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="aecofa-local" value="$feed" />
    <add key="offline-cache" value="$cache" />
  </packageSources>
</configuration>
XML
cat >"$app/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="AecOfa.Pipelines" Version="$version" />
  </ItemGroup>
</Project>
XML
# Keep the repository's Directory.Build.props / Directory.Packages.props out (the consumer lives in /tmp anyway).
export NUGET_PACKAGES="$work/packages"
mid=$SECONDS
dotnet run --project "$app/Consumer.csproj" -c Release -- "$app" >"$work/run.log" 2>&1 || { cat "$work/run.log"; echo "pack-consume: consumer failed"; exit 1; }
cat "$work/run.log" | sed 's/^/  consumer: /'
grep -q "CONSUMER OK" "$work/run.log" || { echo "pack-consume: consumer output wrong"; exit 1; }
echo "pack-consume: consumer restored, built and ran in $((SECONDS - mid)) s"

mid=$SECONDS
dotnet tool install AecOfa.Cli --version "$version" --tool-path "$work/tool" --configfile "$app/nuget.config" >"$work/tool.log" 2>&1 \
  || { cat "$work/tool.log"; echo "pack-consume: tool install failed"; exit 1; }
"$work/tool/aecofa" predict "$app/model.safetensors" "$app/tone.wav" --top 1 | sed 's/^/  tool: /'
echo "pack-consume: tool installed and ran in $((SECONDS - mid)) s"
echo "pack-consume: OK ($((SECONDS - start)) s)"
