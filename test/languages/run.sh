#!/usr/bin/env bash
# Runs the seed example (examples/seed.ts) in each jsii target language against the packages in dist/ and checks
# that each synthesizes the same objects as the TypeScript example (manifests/seed.k8s.yaml).
#
#   bash test/languages/run.sh [python] [java] [go]     (no argument: all of them)
#
# `npm run test:languages` packages first (`npx projen package-all`) and then runs this. Scratch files go to
# test/languages/.work/ (ignored by git); downloads are cached in pip's cache, ~/.m2 and Go's module cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/test/languages
WORK=$HERE/.work
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1

# The example's dependencies, at the versions the TypeScript example was synthesized with.
version_of() { node -p "require('$ROOT/node_modules/$1/package.json').version"; }
CDK8S_VERSION=$(version_of cdk8s)
CDK8S_PLUS_VERSION=$(version_of cdk8s-plus-27)
CONSTRUCTS_VERSION=$(version_of constructs)
LIB_VERSION=$(node -p "require('$ROOT/package.json').version")

EXPECTED=$ROOT/manifests/seed.k8s.yaml
compare() { node "$HERE/compare.js" "$EXPECTED" "$1" "$2"; }

run_python() {
  local w=$WORK/python
  rm -rf "$w" && mkdir -p "$w"
  python3 -m venv "$w/venv"
  "$w/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "$(ls "$ROOT"/dist/python/*.whl)" \
    "cdk8s==$CDK8S_VERSION" "cdk8s-plus-27==$CDK8S_PLUS_VERSION" "constructs==$CONSTRUCTS_VERSION"
  "$w/venv/bin/python" "$HERE/python/seed.py" "$w/out"
  compare "$w/out/seed.k8s.yaml" python
}

langs=("$@")
[ ${#langs[@]} -gt 0 ] || langs=(python)
[ -f "$EXPECTED" ] || { echo "missing $EXPECTED: run npx cdk8s synth" >&2; exit 1; }

failed=()
for lang in "${langs[@]}"; do
  echo "== $lang"
  start=$SECONDS
  if "run_$lang"; then echo "== $lang passed ($((SECONDS - start)) s)"; else failed+=("$lang"); echo "== $lang FAILED ($((SECONDS - start)) s)"; fi
done
echo "languages: $(( ${#langs[@]} - ${#failed[@]} )) passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
