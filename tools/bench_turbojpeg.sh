#!/bin/sh
# Peer figure for BENCHMARKS.md (issue 11): builds tools/bench_turbojpeg.c into a temporary folder and runs it.
#
#     apt-get install libturbojpeg0-dev    # benchmark-only; never needed to build or test the library
#     tools/bench_turbojpeg.sh /tmp/corpus [--threads 1,2] [--passes 3]
#
# Prints one line per thread count, e.g.
#     turbojpeg threads=1 images=2000 passes=3 pixels=... best_s=... img_per_s=...
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/bench_turbojpeg.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
${CC:-gcc} -O2 -std=c11 -Wall -Wextra -pthread -o "$work/bench_turbojpeg" "$here/bench_turbojpeg.c" -lturbojpeg
"$work/bench_turbojpeg" "$@"
