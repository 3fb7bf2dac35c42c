#!/usr/bin/env bash
# Runs the same-run comparisons in bench/ against the peers and writes
# docs/benchmarks.md. Extra arguments go to the report command.
source "$(dirname "${BASH_SOURCE[0]}")/modules.sh"
cd "$ROOT/bench"
go run ./cmd/report -root "$ROOT" "$@"
