#!/usr/bin/env bash
# Packs every shippable project under src/ (the projects that set IsPackable), and the dotnet new
# templates under templates/, into one folder.
#
#   eng/pack.sh [output-dir]        default output: artifacts/packages
#
# Environment:
#   CONFIGURATION   Release (default) or Debug
#   VERSION_SUFFIX  a prerelease suffix such as "ci.42" (the version prefix lives in Directory.Build.props)
#
# Produces <id>.<version>.nupkg and <id>.<version>.snupkg for each package; the build is
# deterministic (ContinuousIntegrationBuild) with SourceLink embedded in the symbols, and package
# validation runs as part of pack.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
output="${1:-$repo_root/artifacts/packages}"
mkdir -p "$output"
output="$(cd "$output" && pwd)"
configuration="${CONFIGURATION:-Release}"

args=(
  -c "$configuration"
  -o "$output"
  -p:ContinuousIntegrationBuild=true
  -p:PackageOutputPath="$output"
  --nologo
)
if [[ -n "${VERSION_SUFFIX:-}" ]]; then
  args+=(-p:VersionSuffix="$VERSION_SUFFIX")
fi

shopt -s nullglob
projects=()
for project in "$repo_root"/src/*/*.csproj "$repo_root"/templates/*.csproj; do
  # Packability is decided by each project; ask MSBuild rather than guessing from the name.
  if [[ "$(dotnet msbuild "$project" -getProperty:IsPackable -nologo 2>/dev/null)" == "true" ]]; then
    projects+=("$project")
  fi
done

if [[ ${#projects[@]} -eq 0 ]]; then
  echo "eng/pack.sh: no packable project under $repo_root/src or $repo_root/templates" >&2
  exit 1
fi

for project in "${projects[@]}"; do
  echo "Packing $(basename "$project" .csproj)"
  dotnet pack "$project" "${args[@]}"
done

echo "Packages in $output:"
ls -1 "$output"
