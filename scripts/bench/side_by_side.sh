#!/bin/bash
# Alternates Loupe and PyTorch (2 threads) ROUNDS times; prints every line with a round tag.
# With DIRECT_OFF=1 each round also runs Loupe with its direct convolution kernel turned off
# (LOUPE_DIRECT_CONV=0: every convolution through im2col + OpenBLAS).
# Run from the package root: ROUNDS=3 scripts/bench/side_by_side.sh > run.txt
LOUPE=${LOUPE:-.build/release/loupe}; PY=${PY:-/work/torchenv/bin/python}
BENCH=${BENCH:-../shared/bench}; SHIM=${SHIM:-$(dirname "$0")}; ROUNDS=${ROUNDS:-3}
W="sgemm-1024 conv-r18s r18s-train r20-train r18-infer1 r18-infer32 peak-rss-r18s"
for r in $(seq 1 "$ROUNDS"); do
  echo "# round $r $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
  "$LOUPE" bench $W | sed "s/^/loupe\t/"
  "$PY" "$SHIM/run_torch_reference.py" "$BENCH/torch_reference.py" 2 | sed "s/^/torch2\t/"
  "$PY" "$SHIM/torch_peak_rss.py" "$BENCH/torch_reference.py" 2 | sed "s/^/torch2\t/"
  if [ "${DIRECT_OFF:-0}" = 1 ]; then LOUPE_DIRECT_CONV=0 "$LOUPE" bench $W | sed "s/^/loupe-gemm\t/"; fi
done
