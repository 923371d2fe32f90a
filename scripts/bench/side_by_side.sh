#!/bin/bash
# Alternates Loupe and PyTorch (2 threads) ROUNDS times; prints every line with a round tag.
# ISA=AVX2 emulates a CPU without AVX-512: DNNL_MAX_CPU_ISA=AVX2 for Loupe's oneDNN, and
# ATEN_CPU_CAPABILITY=avx2 DNNL_MAX_CPU_ISA=AVX2 for PyTorch (its ATen kernels and its oneDNN).
# BEFORE=path also runs an older loupe binary in each round (tag loupe-before).
# Run from the package root: ROUNDS=3 ISA=AVX2 scripts/bench/side_by_side.sh > run.txt
LOUPE=${LOUPE:-.build/release/loupe}; PY=${PY:-/work/venv-torch/bin/python}
BENCH=${BENCH:-../shared/bench}; SHIM=${SHIM:-$(dirname "$0")}; ROUNDS=${ROUNDS:-3}
W=${W:-"sgemm-1024 conv-r18s r18s-train r20-train r18-infer1 r18-infer32 peak-rss-r18s"}
TW=$(echo "$W" | tr ' ' '\n' | grep -E '^r(18s|20|18)-(train|infer1|infer32)$' | tr '\n' ' ')
if [ "${ISA:-}" = AVX2 ]; then
  # OpenBLAS (Loupe's linear layers and the old build's GEMMs) to its AVX2 kernels too.
  export DNNL_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell; TENV="ATEN_CPU_CAPABILITY=avx2"
else
  TENV="X_ISA=native"
fi
for r in $(seq 1 "$ROUNDS"); do
  echo "# round $r $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg) isa ${ISA:-native}"
  "$LOUPE" bench $W | sed "s/^/loupe\t/"
  env $TENV "$PY" "$SHIM/run_torch_reference.py" "$BENCH/torch_reference.py" 2 $TW 2>/dev/null | sed "s/^/torch2\t/"
  case " $W " in *" peak-rss-r18s "*) env $TENV "$PY" "$SHIM/torch_peak_rss.py" "$BENCH/torch_reference.py" 2 2>/dev/null | sed "s/^/torch2\t/";; esac
  case " $W " in *" conv-r18s "*) env $TENV "$PY" "$BENCH/torch_conv_reference.py" 2>/dev/null \
      | awk '/contiguous/ {print "conv-r18s-nchw\t" $(NF-1) " GFLOP/s"} /channels_last/ {print "conv-r18s-nhwc\t" $(NF-1) " GFLOP/s"}' | sed "s/^/torch2\t/";; esac
  if [ -n "${BEFORE:-}" ]; then "$BEFORE" bench $W | sed "s/^/loupe-before\t/"; fi
done
