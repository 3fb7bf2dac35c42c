#!/usr/bin/env bash
# Installs the real renderers that fsm's rendering tests check their output
# with: Graphviz's dot (the Debian package graphviz) and Mermaid's own parser
# (the npm package mermaid, with jsdom for the DOM its sanitizer needs) in
# .tools/node (ignored by git). Debian packages are installed only when the
# command is missing and we run as root; reruns are cheap.
#
# Then: FSM_RENDER_CHECK=1 go test -run TestRender_RealParsers ./fsm (the
# tests find dot on PATH and the node script through FSM_MERMAID_PARSE, or
# in .tools/node).
source "$(dirname "${BASH_SOURCE[0]}")/modules.sh"
MERMAID_VERSION=11.17.2
JSDOM_VERSION=26.1.0
NODE_DIR="$ROOT/.tools/node"

missing=()
command -v dot >/dev/null || missing+=(graphviz)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "renderers: missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root" >&2
		exit 1
	fi
	say "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp="$NODE_DIR/.mermaid-$MERMAID_VERSION-jsdom-$JSDOM_VERSION"
if [ ! -f "$stamp" ]; then
	say "installing mermaid $MERMAID_VERSION and jsdom $JSDOM_VERSION into .tools/node"
	mkdir -p "$NODE_DIR"
	rm -f "$NODE_DIR"/.mermaid-*
	[ -f "$NODE_DIR/package.json" ] || echo '{"private": true}' >"$NODE_DIR/package.json"
	npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error \
		"mermaid@$MERMAID_VERSION" "jsdom@$JSDOM_VERSION"
	touch "$stamp"
fi
say "renderers: $(dot -V 2>&1), mermaid $MERMAID_VERSION, node $(node --version)"
