#!/usr/bin/env bash
# Compares the exported API of each module (or the modules named) in the work
# tree with its latest tag <module>/vX.Y.Z, with golang.org/x/exp/apidiff
# (pinned in tools/release/go.mod). Fails on an incompatible change in a
# module whose latest tag is v1.0.0 or later; below v1 it reports only.
# See docs/versioning.md.
#
# Usage: bash scripts/apidiff.sh [module ...]
source "$(dirname "${BASH_SOURCE[0]}")/modules.sh"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$ROOT/tools/release" && go build -o "$bin/release" .)
"$bin/release" apidiff -root "$ROOT" "$@"
