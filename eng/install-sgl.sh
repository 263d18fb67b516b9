#!/usr/bin/env bash
# Puts `sgl` on PATH as a .NET tool, built from this clone. The Sgl packages are not on nuget.org yet, so
# `dotnet tool install --global Sgl.Cli` alone finds nothing: this packs Sgl.Cli into the local feed
# (artifacts/packages) and installs the tool from there.
#
#   eng/install-sgl.sh                    a global tool, in ~/.dotnet/tools (or $DOTNET_CLI_HOME/.dotnet/tools)
#   eng/install-sgl.sh --tool-path DIR    into DIR instead; put DIR on PATH yourself
#
# Run it again after pulling changes: it reinstalls the tool from the package it has just packed.
# Remove the tool with `dotnet tool uninstall --global Sgl.Cli`.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
feed="$repo_root/artifacts/packages"
project="$repo_root/src/Sgl.Cli/Sgl.Cli.csproj"

target=(--global)
tools_dir="${DOTNET_CLI_HOME:-$HOME}/.dotnet/tools"
if [[ $# -gt 0 ]]; then
  if [[ "$1" == "--tool-path" && $# -eq 2 ]]; then
    target=(--tool-path "$2")
    tools_dir="$2"
  else
    echo "usage: eng/install-sgl.sh [--tool-path DIR]" >&2
    exit 2
  fi
fi

version="$(dotnet msbuild "$project" -getProperty:Version -nologo)"
echo "Packing Sgl.Cli $version into $feed"
dotnet pack "$project" -c Release -o "$feed" --nologo -v quiet

# The same version packed again must replace the installed copy, so the old one goes first.
dotnet tool uninstall "${target[@]}" Sgl.Cli >/dev/null 2>&1 || true
# From the clone's root, NuGet.config maps Sgl.* to artifacts/packages and everything else to nuget.org
# (with a source mapping in force, NuGet refuses --add-source).
cd "$repo_root"
dotnet tool install "${target[@]}" Sgl.Cli --version "$version"

case ":$PATH:" in
  *":$tools_dir:"*) echo "sgl is on PATH: try 'sgl platforms list'" ;;
  *) echo "Add $tools_dir to PATH (for example: export PATH=\"\$PATH:$tools_dir\"), then try 'sgl platforms list'" ;;
esac
