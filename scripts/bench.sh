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
#
# The fleet benchmarks (bench/fleet) run against a real redis-server: a run
# of the benchmarks first makes it available (scripts/redis.sh installs the
# Debian package as root), and fails, rather than writing a report without
# the fleet, when it is missing.
source "$(dirname "${BASH_SOURCE[0]}")/modules.sh"
# Whether this runs the fleet benchmarks: not from saved output (-in,
# -check), nor with -pkgs naming other packages only.
fleet=1 prev=
for a in "$@"; do
	case "$a" in
	-in | -in=* | --in | --in=* | -check | -check=true | --check | --check=true) fleet=0 ;;
	-pkgs=* | --pkgs=*) [[ "${a#*=}" == *fleet* || "${a#*=}" == *./...* ]] || fleet=0 ;;
	esac
	if [ "$prev" = -pkgs ] || [ "$prev" = --pkgs ]; then
		[[ "$a" == *fleet* || "$a" == *./...* ]] || fleet=0
	fi
	prev=$a
done
if [ "$fleet" = 1 ]; then
	if ! bash "$ROOT/scripts/redis.sh"; then
		echo "bench: redis-server missing, which the fleet benchmarks need: run this as root (it installs the Debian package redis-server), or install it" >&2
		exit 1
	fi
	export REDISTIER_REQUIRE=1
fi
# Built, then run from the caller's folder, so that a relative -in or -raw
# path means what it says.
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$ROOT/bench" && go build -o "$bin/report" ./cmd/report)
"$bin/report" -root "$ROOT" "$@"
