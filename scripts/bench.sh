#!/usr/bin/env bash
# Runs the same-run comparisons in bench/ against the peers and writes
# docs/benchmarks.md and docs/bench-<module>.svg (bench/cmd/report).
# Extra arguments go to the report command, for example:
#
#   bash scripts/bench.sh                                  # everything, -count 5
#   bash scripts/bench.sh -pkgs ./gather/ -count 5         # one module
#   bash scripts/bench.sh -dry -count 1 -benchtime 100ms   # print only
#   bash scripts/bench.sh -raw bench.txt                   # also keep the raw output
#   bash scripts/bench.sh -in bench.txt                    # regenerate without rerunning
source "$(dirname "${BASH_SOURCE[0]}")/modules.sh"
cd "$ROOT/bench"
go run ./cmd/report -root "$ROOT" "$@"
