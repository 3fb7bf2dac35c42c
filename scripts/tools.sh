#!/usr/bin/env bash
# Installs the project's tools, at pinned versions, from the Go module proxy
# into .tools/bin (ignored by git). Reruns are cheap: a tool already at its
# pinned version is kept.
source "$(dirname "${BASH_SOURCE[0]}")/modules.sh"
GOLANGCI_LINT_VERSION=v2.15.0
ACTIONLINT_VERSION=v1.7.12
BIN="$ROOT/.tools/bin"
mkdir -p "$BIN"

install() { # name package version
	local stamp="$BIN/.$1-$3"
	if [ -x "$BIN/$1" ] && [ -f "$stamp" ]; then return; fi
	say "installing $1 $3"
	(cd "$ROOT/.tools" && GOBIN="$BIN" go install "$2@$3")
	rm -f "$BIN/.$1-"*
	touch "$stamp"
}
install golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint "$GOLANGCI_LINT_VERSION"
install actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"
