# Sourced by the other scripts: the list of modules and a helper to run a
# command in each. The modules are the ones go.work lists; the adapter
# modules, nested in the folder of the module they extend (their own go.mod
# and tags, kept out of go.work because they pull the client of the system
# they adapt); and bench, which stays outside go.work so its peers never
# raise the real modules' versions.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export GOWORK=off
# shellcheck disable=SC2207
WORK_MODULES=($(sed -n 's#^[[:space:]]*\./\([A-Za-z0-9_./-]*\).*#\1#p' "$ROOT/go.work"))
# Adapter modules: one folder per line, below the folder of a go.work module.
# tools/release finds them by their go.mod (docs/versioning.md); the check
# below keeps this list and the folders in step.
ADAPTER_MODULES=(
	cache/otelcache
	cache/redistier
)
ALL_MODULES=("${WORK_MODULES[@]}" "${ADAPTER_MODULES[@]}" bench)

# say prints a step header.
say() { printf '\n==> %s\n' "$*"; }

# Every nested go.mod below a go.work module is a listed adapter module, and
# every listed adapter module has its go.mod.
check_adapters() {
	local found=() m f
	for m in "${WORK_MODULES[@]}"; do
		while IFS= read -r f; do
			found+=("${f%/go.mod}")
		done < <(cd "$ROOT" && find "$m" -mindepth 2 -name go.mod \
			-not -path '*/testdata/*' -not -path '*/vendor/*' -not -path '*/.*' | sort)
	done
	for f in "${found[@]}"; do
		if [[ " ${ADAPTER_MODULES[*]} " != *" $f "* ]]; then
			echo "scripts/modules.sh: $f/go.mod is a nested module missing from ADAPTER_MODULES" >&2
			return 1
		fi
	done
	for m in "${ADAPTER_MODULES[@]}"; do
		if [ ! -f "$ROOT/$m/go.mod" ]; then
			echo "scripts/modules.sh: ADAPTER_MODULES lists $m, which has no go.mod" >&2
			return 1
		fi
	done
}
check_adapters
