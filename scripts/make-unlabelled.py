#!/usr/bin/env python3
"""Writes N images of Fashion-MNIST's test set as grey PNG files without labels.

usage: make-unlabelled.py OUT_DIR [N]  (the folder of "new photos" the prediction tutorial uses)
"""
import gzip, os, struct, sys, zlib

out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200
src = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
with gzip.open(src, "rb") as f:
    magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
    data = f.read(rows * cols * min(n, count))
os.makedirs(out, exist_ok=True)

def png(width, height, pixels):
    raw = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

for i in range(min(n, count)):
    with open(os.path.join(out, f"photo-{i:04d}.png"), "wb") as f:
        f.write(png(cols, rows, data[i * rows * cols:(i + 1) * rows * cols]))
# One broken file, as real folders have: it must be listed and skipped, not crash anything.
with open(os.path.join(out, "photo-broken.png"), "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\nnot really")
print(f"wrote {min(n, count)} images and one broken file to {out}")
