#!/usr/bin/env bash
# Builds the Go bindings of this library's jsii dependencies from their npm packages' assemblies, for the module
# proxy that does not serve them to this project's machines: it refuses github.com/cdk8s-team/cdk8s-core-go.
# jsii-pacmak generates the same code the cdk8s team publishes. The result is cached per version outside the tree
# and linked as node_modules/<dependency>/dist/go, where jsii-pacmak (package:go) and test/languages look.
# (Java needs none: Maven serves org.cdk8s:cdk8s and software.constructs:constructs.)
#
#   bash scripts/jsii-dependency-bindings.sh go
set -euo pipefail
cd "$(dirname "$0")/.."
lang=${1:?usage: jsii-dependency-bindings.sh go}
case "$lang" in
  go) deps=(cdk8s) ;;     # github.com/aws/constructs-go and jsii-runtime-go come from the module proxy
  *) echo "unknown language: $lang" >&2; exit 2 ;;
esac
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1

version_of() { node -p "require('./node_modules/$1/package.json').version"; }
key="pacmak-$(version_of jsii-pacmak)"
for dep in "${deps[@]}"; do key="$key-$dep-$(version_of "$dep")"; done
cache=${CDK8S_ISTIO_CANARY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-istio-canary}/jsii-deps/$lang-$key

if [ -f "$cache/.complete" ]; then
  echo "jsii-dependency-bindings: $lang bindings of ${deps[*]} from the cache ($cache)"
else
  echo "jsii-dependency-bindings: building $lang bindings of ${deps[*]} into $cache"
  # Built aside and moved in whole, so that a run that stopped halfway or one running beside it sees no half a cache.
  tmp=$cache.tmp.$$
  rm -rf "$tmp" && mkdir -p "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  args=(--target "$lang" --outdir "$tmp")
  dirs=()
  for dep in "${deps[@]}"; do dirs+=("node_modules/$dep"); done
  # Go: `go build` of the generated code happens where it is used (the Go build cache keeps it).
  JSII_BUILD_GO=0 npx jsii-pacmak "${args[@]}" "${dirs[@]}"
  touch "$tmp/.complete"
  rm -rf "$cache"
  mv -T "$tmp" "$cache" 2>/dev/null || [ -f "$cache/.complete" ]
fi

for dep in "${deps[@]}"; do
  outdir=node_modules/$dep/$(node -p "require('./node_modules/$dep/package.json').jsii.outdir")
  mkdir -p "$outdir"
  ln -sfn "$cache/$lang" "$outdir/$lang"
done
