# Sourced by the other scripts: the list of modules and a helper to run a
# command in each. The modules are the ones go.work lists, plus bench, which
# stays outside go.work so its peers never raise the real modules' versions.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export GOWORK=off
# shellcheck disable=SC2207
WORK_MODULES=($(sed -n 's#^[[:space:]]*\./\([A-Za-z0-9_./-]*\).*#\1#p' "$ROOT/go.work"))
ALL_MODULES=("${WORK_MODULES[@]}" bench)
# Adapter modules: nested in the module they extend, outside go.work.
ADAPTER_MODULES=(cache/redistier)
ALL_MODULES+=("${ADAPTER_MODULES[@]}")

# say prints a step header.
say() { printf '\n==> %s\n' "$*"; }
