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
    "cdk8s==$CDK8S_VERSION" "constructs==$CONSTRUCTS_VERSION"
  "$w/venv/bin/python" "$HERE/python/seed.py" "$w/out"
  compare "$w/out/seed.k8s.yaml" python
}

run_java() {
  local w=$WORK/java
  rm -rf "$w" && mkdir -p "$w"
  # dist/java is a file repository; drop Maven's cached copy of a previous build of the same version.
  rm -rf "$HOME/.m2/repository/io/github/cdk8s-istio-canary"
  mvn --batch-mode --quiet -f "$HERE/java/pom.xml" \
    -Dseed.builddir="$w/target" -Dseed.outdir="$w/out" \
    -Ddist.repo="file://$ROOT/dist/java" \
    -Dlib.version="$LIB_VERSION" -Dcdk8s.version="$CDK8S_VERSION" -Dconstructs.version="$CONSTRUCTS_VERSION" \
    compile exec:exec
  compare "$w/out/seed.k8s.yaml" java
}

# The Go module proxy does not serve cdk8s-core-go to this machine: package:go links a Go module built from the
# npm package (scripts/jsii-dependency-bindings.sh) as node_modules/cdk8s/dist/go, and the example's go.mod points
# at it and at dist/go with replace directives.
run_go() {
  local w=$WORK/go gomods=$ROOT/node_modules/cdk8s/dist/go
  rm -rf "$w" && mkdir -p "$w"
  [ -d "$gomods" ] || bash "$ROOT/scripts/jsii-dependency-bindings.sh" go
  gomods=$(cd "$gomods" && pwd -P)
  cp "$HERE/go/main.go" "$w/"
  (
    cd "$w"
    go mod init example.com/seed >/dev/null 2>&1
    go mod edit \
      -require="github.com/cdk8s-istio-canary/cdk8s-istio-canary-go/cdk8sistiocanary@v$LIB_VERSION" \
      -replace="github.com/cdk8s-istio-canary/cdk8s-istio-canary-go/cdk8sistiocanary=$ROOT/dist/go/cdk8sistiocanary" \
      -require="github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2@v$CDK8S_VERSION" \
      -replace="github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2=$gomods/cdk8s" \
      -require="github.com/aws/constructs-go/constructs/v10@v$CONSTRUCTS_VERSION"
    go mod tidy
    go run . "$w/out"
  )
  compare "$w/out/seed.k8s.yaml" go
}

langs=("$@")
[ ${#langs[@]} -gt 0 ] || langs=(python java go)
[ -f "$EXPECTED" ] || { echo "missing $EXPECTED: run npx cdk8s synth" >&2; exit 1; }

failed=()
for lang in "${langs[@]}"; do
  echo "== $lang"
  start=$SECONDS
  if "run_$lang"; then echo "== $lang passed ($((SECONDS - start)) s)"; else failed+=("$lang"); echo "== $lang FAILED ($((SECONDS - start)) s)"; fi
done
echo "languages: $(( ${#langs[@]} - ${#failed[@]} )) passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
