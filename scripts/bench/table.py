# Turns the lines of side_by_side.sh into BENCHMARKS.md's tables: python3 table.py run.txt...
import sys
rounds = []; cur = None
for path in sys.argv[1:]:
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("# round"):
            cur = {"head": line[2:], "loupe": {}, "torch2": {}, "loupe-before": {}}; rounds.append(cur); continue
        parts = line.split("\t")
        if len(parts) == 3 and cur is not None and parts[0] in cur:
            cur[parts[0]][parts[1]] = float(parts[2].split()[0])
goals = ["r18s-train", "r20-train", "r18-infer1", "r18-infer32", "peak-rss-r18s"]
print("| round (UTC, load, ISA, core-to-core ns before Loupe/PyTorch/after) | conv-r18s Loupe / PyTorch (best of NCHW, channels_last) = ratio | " + " | ".join(f"{g} Loupe / PyTorch = ratio" for g in goals) + " |")
print("|" + "---|" * (2 + len(goals)))
# Issue 12's goals: a ratio in bold meets its goal.
targets = {"conv-r18s": (1.3, 1), "r18s-train": (1.5, 1), "r20-train": (1.5, 1), "r18-infer1": (1.5, 1),
           "r18-infer32": (1.3, 1), "peak-rss-r18s": (0.5, -1)}
def cell(L, T, g, tg=None):
    tg = tg or g
    if g not in L or tg not in T: return "–"
    ratio = L[g] / T[tg]
    goal, sign = targets.get(g, (0, 1))
    text = f"{ratio:.2f}×"
    return f'{L[g]:.1f} / {T[tg]:.1f} = ' + (f"**{text}**" if sign * (ratio - goal) >= 0 else text)
for r in rounds:
    L, T = r["loupe"], dict(r["torch2"])
    if not T or not L: continue
    if "conv-r18s-nchw" in T: T["conv-r18s"] = max(T["conv-r18s-nchw"], T.get("conv-r18s-nhwc", 0))
    cells = [r["head"].replace("round ", "#"), cell(L, T, "conv-r18s")] + [cell(L, T, g) for g in goals]
    print("| " + " | ".join(cells) + " |")
if any(r["loupe-before"] for r in rounds):
    print()
    names = ["conv-r18s", "r18s-train", "r20-train", "r18-infer1", "r18-infer32", "peak-rss-r18s"]
    print("| round | " + " | ".join(f"{n} oneDNN / before" for n in names) + " |")
    print("|" + "---|" * (1 + len(names)))
    for r in rounds:
        L, B = r["loupe"], r["loupe-before"]
        if not B or not L: continue
        print("| " + r["head"].split(" load")[0].replace("round ", "#") + " | " +
              " | ".join(f'{L[n]:.1f} / {B[n]:.1f} = {L[n]/B[n]:.2f}×' if n in L and n in B else "–" for n in names) + " |")
