#!/usr/bin/env bash
# The release rehearsal, which CI runs after lint. It changes nothing in the
# repository:
#   1. tools/release (the release tooling, a module outside go.work): tidy,
#      vet, lint, unit tests;
#   2. the release plan of every module with unreleased changes at its next
#      minor version, as a dry run (order, tags, raised requires, changelogs,
#      the check that every sibling require is tagged or released with it);
#   3. the API compatibility check of every module against its previous tag;
#   4. the rehearsal proper: every module packed into a local file module
#      proxy, then per module a fresh consumer outside the repository that
#      requires only that module, is built, run and vendored, and whose
#      vendor/modules.txt must hold only what that module needs.
# See docs/versioning.md.
#
# Usage: bash scripts/rehearse.sh [flags of `release rehearse`: -strict=false, -rev HEAD, -keep, -version v0.1.0]
source "$(dirname "${BASH_SOURCE[0]}")/modules.sh"
start=$(date +%s)
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
cd "$ROOT/tools/release"
say "tools/release: go mod tidy -diff, go vet, golangci-lint, go test"
go mod tidy -diff
go vet ./...
bash "$ROOT/scripts/tools.sh"
"$ROOT/.tools/bin/golangci-lint" run --config "$ROOT/.golangci.yml" ./...
go test -count=1 ./...
go build -o "$bin/release" .
say "release plan, dry run: every module with unreleased changes at its next minor version"
"$bin/release" plan -root "$ROOT" -noapi -pending -all minor
say "API compatibility against the previous tags"
"$bin/release" apidiff -root "$ROOT"
say "rehearsal: a local module proxy and one fresh consumer per module"
"$bin/release" rehearse -root "$ROOT" "$@"
say "rehearsal passed in $(( $(date +%s) - start ))s"
