#!/usr/bin/env bash
# Compiles the BPF programs into the module's class-path resources. Called by Maven (bpf/pom.xml).
set -euo pipefail
out=$1
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
clang -O2 -g -Wall -Werror -target bpf -mcpu=v3 \
  -I/usr/include/x86_64-linux-gnu -I"$src" \
  -c "$src/flowrec.bpf.c" -o "$out/flowrec.bpf.o"
