#!/usr/bin/env bash
# The arm64 GEMM kernels (NEON and portable), checked under emulation: cross-compiles the C kernels
# with Debian's gcc-aarch64-linux-gnu and runs gemm_check.c (naive product, odd shapes, transposes,
# both precisions, 1-3 threads) under qemu-aarch64. Installs the cross compiler and qemu-user with
# apt-get when they are missing (needs root or sudo). No timing is measured: emulation says
# nothing about arm64 speed.
#
# Usage: bash Tests/arm64/run.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CC=aarch64-linux-gnu-gcc

if ! command -v "$CC" >/dev/null || ! command -v qemu-aarch64 >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user >/dev/null
fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# -static: qemu-aarch64 then needs no arm64 dynamic loader or libraries.
"$CC" -std=gnu11 -O2 -Wall -Wextra -pthread -static -I"$ROOT/Sources/CDescentKernels/include" \
  "$ROOT"/Sources/CDescentKernels/*.c "$ROOT/Tests/arm64/gemm_check.c" -lm -o "$OUT/gemm_check"
echo "arm64 GEMM check (qemu-aarch64):"
qemu-aarch64 "$OUT/gemm_check"
