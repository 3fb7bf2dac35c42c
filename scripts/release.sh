#!/usr/bin/env bash
# Plans a release and, with -apply, makes it: one local commit per module (its
# changelog moved under the new version, its sibling requires raised to the
# versions released before it) and one annotated tag <module>/vX.Y.Z on it,
# in release order. Without -apply it only prints the plan. It never pushes.
# See docs/versioning.md.
#
# Usage: bash scripts/release.sh [-apply] [-date YYYY-MM-DD] [-noapi]
#            (-all VERSION|patch|minor|major [-pending] | module@VERSION ...)
# Examples:
#   bash scripts/release.sh -all v0.1.0
#   bash scripts/release.sh -apply internal@minor cache@v0.2.0
source "$(dirname "${BASH_SOURCE[0]}")/modules.sh"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$ROOT/tools/release" && go build -o "$bin/release" .)
"$bin/release" plan -root "$ROOT" "$@"
