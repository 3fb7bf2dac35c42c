#!/usr/bin/env bash
# Runs the same-run comparisons in bench/ against the peers, in interleaved
# rounds, and writes everything that quotes a figure (bench/cmd/report):
# docs/benchmarks.txt (the raw output, the one source), docs/benchmarks.md,
# docs/bench-<module>.svg, and the generated blocks (<!-- bench:begin ... -->)
# of README.md and the guides. Extra arguments go to the report command:
#
#   bash scripts/bench.sh                                  # everything, 6 rounds of -benchtime 1s
#   bash scripts/bench.sh -count 10                        # more rounds, more power
#   bash scripts/bench.sh -in docs/benchmarks.txt          # rewrite the docs from the saved run
#   bash scripts/bench.sh -pkgs ./gather/ -count 6         # a subset: printed, nothing written
#   bash scripts/bench.sh -dry -count 2 -benchtime 10ms    # print only
#
# bash scripts/figures.sh checks the result, as CI does.
source "$(dirname "${BASH_SOURCE[0]}")/modules.sh"
# Built, then run from the caller's folder, so that a relative -in or -raw
# path means what it says.
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$ROOT/bench" && go build -o "$bin/report" ./cmd/report)
"$bin/report" -root "$ROOT" "$@"
