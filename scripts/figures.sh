#!/usr/bin/env bash
# Checks that every benchmark figure of the repository is the report's:
# docs/benchmarks.md, its charts and every generated block of the Markdown
# files are what the saved run docs/benchmarks.txt gives, and no Markdown
# file or Go comment quotes a measured figure (a ratio, a time in ns or µs)
# outside a generated block. Writes nothing; bash scripts/bench.sh fixes.
source "$(dirname "${BASH_SOURCE[0]}")/modules.sh"
cd "$ROOT/bench"
say "figures: every quoted figure against docs/benchmarks.txt"
go run ./cmd/report -root "$ROOT" -check
