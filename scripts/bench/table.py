# Turns the lines of side_by_side.sh into BENCHMARKS.md's tables: python3 table.py run.txt
import sys
rounds = []; cur = None
for path in sys.argv[1:]:
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("# round"):
            cur = {"head": line[2:], "loupe": {}, "torch2": {}, "loupe-gemm": {}}; rounds.append(cur); continue
        parts = line.split("\t")
        if len(parts) == 3 and cur is not None and parts[0] in cur:
            cur[parts[0]][parts[1]] = float(parts[2].split()[0])
goals = [("r18s-train", "≥ 1.5×"), ("r20-train", "≥ 1.5×"), ("r18-infer1", "≥ 1.5×"), ("r18-infer32", "≥ 1.2×"), ("peak-rss-r18s", "≤ 0.5×")]
print("| round (UTC, load) | sgemm-1024 | conv-r18s (% of sgemm) | " + " | ".join(f"{g} Loupe / PyTorch = ratio" for g, _ in goals) + " |")
print("|" + "---|" * (3 + len(goals)))
for r in rounds:
    L, T = r["loupe"], r["torch2"]
    if not T or not L: continue
    cells = [r["head"].replace("round ", "#"), f'{L["sgemm-1024"]:.1f} GFLOP/s', f'{L["conv-r18s"]:.1f} GFLOP/s ({100*L["conv-r18s"]/L["sgemm-1024"]:.0f}%)']
    for g, _ in goals:
        cells.append(f'{L[g]:.1f} / {T[g]:.1f} = **{L[g]/T[g]:.2f}×**')
    print("| " + " | ".join(cells) + " |")
if any(r["loupe-gemm"] for r in rounds):
    print()
    names = ["conv-r18s", "r18s-train", "r20-train", "r18-infer1", "r18-infer32", "peak-rss-r18s"]
    print("| round | " + " | ".join(f"{n} direct / GEMM only" for n in names) + " |")
    print("|" + "---|" * (1 + len(names)))
    for r in rounds:
        L, G = r["loupe"], r["loupe-gemm"]
        if not G or not L: continue
        print("| " + r["head"].split(" load")[0].replace("round ", "#") + " | " +
              " | ".join(f'{L[n]:.1f} / {G[n]:.1f} = {L[n]/G[n]:.2f}×' for n in names) + " |")
