#!/bin/bash
# Alternates Loupe and PyTorch (2 threads) ROUNDS times; prints every line with a round tag.
# ISA=AVX2 emulates a CPU without AVX-512: DNNL_MAX_CPU_ISA=AVX2 for Loupe's oneDNN, and
# ATEN_CPU_CAPABILITY=avx2 DNNL_MAX_CPU_ISA=AVX2 for PyTorch (its ATen kernels and its oneDNN).
# BEFORE=path also runs an older loupe binary in each round (tag loupe-before).
# Each round's line ends with the core-to-core round trip (ns) before Loupe, before PyTorch and
# after both (core_to_core.c): ~55 on one die, ~330 when the host has put the vCPUs on two.
# ORDER=workload alternates per workload instead (Loupe then PyTorch on one workload, then the
# next; the pair's order flips every round), so that the two figures of a ratio are seconds
# apart rather than minutes: the host's busy spells (both vCPUs 35-45% slower for half a
# minute, seen 2026-11-30 23:53) then fall on both or neither. Its line ends with the
# core-to-core range over the round (one sample before each program).
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
C2C=/tmp/loupe-core-to-core
[ -x "$C2C" ] || cc -O2 -pthread "$SHIM/core_to_core.c" -o "$C2C" 2>/dev/null || C2C=true
# PyTorch's figure(s) for one workload name, tagged.
torch_for() {
  case "$1" in
    peak-rss-r18s) env $TENV "$PY" "$SHIM/torch_peak_rss.py" "$BENCH/torch_reference.py" 2 2>/dev/null;;
    conv-r18s) env $TENV "$PY" "$BENCH/torch_conv_reference.py" 2>/dev/null \
      | awk '/contiguous/ {print "conv-r18s-nchw\t" $(NF-1) " GFLOP/s"} /channels_last/ {print "conv-r18s-nhwc\t" $(NF-1) " GFLOP/s"}';;
    r18s-train|r20-train|r18-infer1|r18-infer32) env $TENV "$PY" "$SHIM/run_torch_reference.py" "$BENCH/torch_reference.py" 2 "$1" 2>/dev/null;;
  esac | sed "s/^/torch2\t/"
}
if [ "${ORDER:-program}" = workload ]; then
  # FIRST: the first round's number (its parity sets who goes first), for series of ROUNDS=1 runs.
  for r in $(seq "${FIRST:-1}" $(( ${FIRST:-1} + ROUNDS - 1 ))); do
    head="round $r $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg) isa ${ISA:-native} order workload"
    out=""; samples=""
    for w in $W; do
      for who in $( [ $((r % 2)) = 1 ] && echo "loupe torch" || echo "torch loupe" ); do
        samples+=" $("$C2C")"
        if [ $who = loupe ]; then out+=$'\n'$("$LOUPE" bench "$w" | sed "s/^/loupe\t/"); else out+=$'\n'$(torch_for "$w"); fi
      done
    done
    range=$(echo $samples | tr ' ' '\n' | sort -n | sed -n '1p;$p' | paste -sd-)
    echo "# $head c2c $range ns over $(echo $samples | wc -w) samples"
    echo "$out" | sed '/^$/d'
  done
  exit 0
fi
for r in $(seq 1 "$ROUNDS"); do
  head="round $r $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg) isa ${ISA:-native}"
  c1=$("$C2C")
  out=$("$LOUPE" bench $W | sed "s/^/loupe\t/")
  c2=$("$C2C")
  out+=$'\n'$(env $TENV "$PY" "$SHIM/run_torch_reference.py" "$BENCH/torch_reference.py" 2 $TW 2>/dev/null | sed "s/^/torch2\t/")
  case " $W " in *" peak-rss-r18s "*) out+=$'\n'$(torch_for peak-rss-r18s);; esac
  case " $W " in *" conv-r18s "*) out+=$'\n'$(torch_for conv-r18s);; esac
  c3=$("$C2C")
  echo "# $head c2c $c1/$c2/$c3 ns"
  echo "$out"
  if [ -n "${BEFORE:-}" ]; then "$BEFORE" bench $W | sed "s/^/loupe-before\t/"; fi
done
