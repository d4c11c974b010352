#!/usr/bin/env bash
# The transfer benchmark in one command (BENCHMARKS.md, "Transfers"): builds
# the photoslibrary CLI (release) and the bench binary, then runs
# `bench transfer`, which prints ready-to-paste Markdown tables.
#
#   bash bench/transfer.sh [bench transfer options: --sizes 100,1024 --runs N --no-small]
#
# CARGO_TARGET_DIR is honoured for the CLI build (default: the workspace's
# target/); BENCH_TARGET_DIR for the bench workspace (default: bench/target).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cli_target="${CARGO_TARGET_DIR:-$root/target}"
bench_target="${BENCH_TARGET_DIR:-$root/bench/target}"
CARGO_TARGET_DIR="$cli_target" cargo build --release --manifest-path "$root/Cargo.toml" -p photoslibrary-v1-cli
CARGO_TARGET_DIR="$bench_target" cargo run --release --manifest-path "$root/bench/Cargo.toml" -- \
  transfer --cli "$cli_target/release/photoslibrary" "$@"
