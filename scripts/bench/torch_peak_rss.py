# Peak RSS of 20 r18s-train steps in PyTorch, the counterpart of `loupe bench peak-rss-r18s`.
import sys, os, resource
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchvision_cpu_patch, torch, torch.nn.functional as F
src = open(sys.argv[1]).read().split("work = sys.argv")[0]
sys.argv = [sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "2"]
ns = {"__name__": "torch_reference"}; exec(src, ns)
model = ns["small_resnet"]([2,2,2,2], [64,128,256,512], 3, 10)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
x = torch.randn(64, 3, 32, 32); y = torch.randint(0, 10, (64,)); model.train()
for _ in range(20):
    opt.zero_grad(set_to_none=True); F.cross_entropy(model(x), y).backward(); opt.step()
print(f"peak-rss-r18s\t{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB", flush=True)
