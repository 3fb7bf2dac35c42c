#!/usr/bin/env bash
# The project's test command: every module, alone (GOWORK=off), tidy, vetted,
# tested with -race in shuffled order. In bench, the report command's unit
# tests run, and every benchmark runs once (-benchtime=1x -short) as a smoke
# test (the fleet benchmarks against a real redis-server, as cache/redistier's
# integration tests).
#
# Usage: bash scripts/test.sh [module ...]
source "$(dirname "${BASH_SOURCE[0]}")/modules.sh"
mods=("$@")
[ ${#mods[@]} -gt 0 ] || mods=("${ALL_MODULES[@]}")
for m in "${mods[@]}"; do
	cd "$ROOT/$m"
	say "$m: go mod tidy -diff"
	go mod tidy -diff
	say "$m: go vet"
	go vet ./...
	# cache/redistier's integration tests, bench's fleet benchmarks and the
	# tests of internal/redistest (the helper that starts their servers) need
	# redis-server (installed as root, as in CI).
	if { [ "$m" = internal ] || [ "$m" = cache/redistier ] || [ "$m" = bench ]; } && ! bash "$ROOT/scripts/redis.sh"; then
		echo "$m: redis-server missing, its Redis tests and benchmarks skip: run this as root (it installs the Debian package redis-server), or install it"
	fi
	if [ "$m" = bench ]; then
		say "$m: tests, and every benchmark once"
		go test -short -count=1 -bench . -benchtime 1x ./...
	else
		say "$m: go test -race -shuffle=on"
		go test -race -shuffle=on -count=1 ./...
	fi
done
say "all modules passed"
