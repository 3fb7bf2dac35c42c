#!/usr/bin/env bash
# Lints every module with the shared .golangci.yml, and the GitHub workflows
# with actionlint. Installs both tools first (scripts/tools.sh).
#
# Usage: bash scripts/lint.sh [module ...]
source "$(dirname "${BASH_SOURCE[0]}")/modules.sh"
bash "$ROOT/scripts/tools.sh"
BIN="$ROOT/.tools/bin"
mods=("$@")
[ ${#mods[@]} -gt 0 ] || mods=("${ALL_MODULES[@]}")
for m in "${mods[@]}"; do
	say "$m: golangci-lint"
	(cd "$ROOT/$m" && "$BIN/golangci-lint" run --config "$ROOT/.golangci.yml" ./...)
done
say "actionlint"
(cd "$ROOT" && "$BIN/actionlint")
say "lint passed"
