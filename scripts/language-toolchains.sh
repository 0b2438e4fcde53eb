#!/usr/bin/env bash
# Makes sure the toolchains jsii-pacmak and test/languages need are on the machine: Python with venv and pip,
# a JDK with Maven, Go. Whatever is missing comes from Debian's packages (needs root, as on CI).
set -euo pipefail
missing=()
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3 python3-venv python3-pip)
command -v javac >/dev/null || missing+=(default-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v go >/dev/null || missing+=(golang-go)
if [ ${#missing[@]} -gt 0 ]; then
  echo "language-toolchains: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The generated go.mod files name a recent Go; Go 1.21 and later fetch that toolchain by themselves.
echo "language-toolchains: $(python3 --version), $(javac -version 2>&1), $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g'), $(go version)"
