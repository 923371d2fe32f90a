#!/bin/bash
# Context rows: PyTorch with 1 thread, and 2 threads with OMP_WAIT_POLICY=PASSIVE (no OpenMP
# spin-waiting), alternated with Loupe's training and inference workloads.
LOUPE=${LOUPE:-.build/release/loupe}; PY=${PY:-/work/torchenv/bin/python}
BENCH=${BENCH:-../shared/bench}; SHIM=${SHIM:-$(dirname "$0")}
echo "# $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
"$LOUPE" bench r18s-train r20-train r18-infer1 r18-infer32 | sed "s/^/loupe\t/"
"$PY" "$SHIM/run_torch_reference.py" "$BENCH/torch_reference.py" 1 | sed "s/^/torch1\t/"
"$LOUPE" bench r18s-train r20-train r18-infer1 r18-infer32 | sed "s/^/loupe\t/"
OMP_WAIT_POLICY=PASSIVE "$PY" "$SHIM/run_torch_reference.py" "$BENCH/torch_reference.py" 2 | sed "s/^/torch2-passive\t/"
