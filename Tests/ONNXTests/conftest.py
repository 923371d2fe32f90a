"""Shared helpers for the ONNX export tests.

Models are built, trained, saved and exported by the loupe binary itself (LOUPE_BINARY when
set, else .build/release/loupe of this checkout); Loupe's own `predict` classifies a folder of
fixed images; the tests then run the exported file in ONNX Runtime on the same pixels.

The images are written here as PNG at exactly the model's input size (8-bit grey or RGB, with
a PNG writer of a few lines), so both sides see the same pixel values: Loupe's resize to the
same size is the identity, and the pixels on 0…1 are byte/255.
"""
from __future__ import annotations

import csv
import json
import os
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
LOUPE = Path(os.path.abspath(os.environ.get("LOUPE_BINARY", ROOT / ".build" / "release" / "loupe")))
FIXTURES = Path(os.environ.get("LOUPE_FIXTURES", ROOT.parent / "shared" / "fixtures"))


def write_png(path: Path, pixels: np.ndarray) -> None:
    """An 8-bit PNG of an H×W (grey) or H×W×3 (RGB) uint8 array."""
    assert pixels.dtype == np.uint8
    height, width = pixels.shape[:2]
    colour_type = 0 if pixels.ndim == 2 else 2
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make_image(rng: np.random.RandomState, width: int, height: int, channels: int, kind: int) -> np.ndarray:
    """A picture with structure (gradients, a bright square, noise), different per `kind`."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    base = (np.sin(x / (3 + kind) + kind) + np.cos(y / (4 + kind))) * 60 + 128
    square = np.zeros((height, width))
    s = max(2, width // 4)
    ox, oy = rng.randint(0, width - s), rng.randint(0, height - s)
    square[oy:oy + s, ox:ox + s] = 80 * (1 if kind % 2 == 0 else -1)
    planes = [base + square + rng.normal(0, 20, (height, width)) + 25 * c * (kind - 1) for c in range(channels)]
    img = np.clip(np.stack(planes, axis=-1), 0, 255).astype(np.uint8)
    return img[..., 0] if channels == 1 else img


def make_folder(folder: Path, count: int, width: int, height: int, channels: int, seed: int, kind: int = 0) -> dict[str, np.ndarray]:
    """`count` PNGs in `folder`; returns name → pixels as N×C×H×W float32 on 0…1 (one image)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(seed)
    out = {}
    for i in range(count):
        img = make_image(rng, width, height, channels, kind + i % 3)
        name = f"img{i:02d}.png"
        write_png(folder / name, img)
        chw = img[None] if img.ndim == 2 else img.transpose(2, 0, 1)
        out[name] = (chw.astype(np.float32) / 255.0)[None]
    return out


def make_dataset(folder: Path, classes: list[str], per_class: int, width: int, height: int, channels: int) -> None:
    """A folder-per-class dataset whose classes differ in their pictures."""
    for k, name in enumerate(classes):
        make_folder(folder / name, per_class, width, height, channels, seed=100 + k, kind=3 * k)


def run_loupe(script: str, cwd: Path, expect_ok: bool = True) -> subprocess.CompletedProcess:
    """Runs a script with `loupe run`; fails the test with its output when it fails unexpectedly."""
    path = cwd / "script.loupe"
    path.write_text(script)
    result = subprocess.run([str(LOUPE), "run", str(path)], cwd=cwd, capture_output=True, text=True, timeout=900)
    if expect_ok and result.returncode != 0:
        pytest.fail(f"loupe run failed ({result.returncode}):\n{script}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}")
    return result


def read_predictions(csv_path: Path, classes: list[str]) -> dict[str, np.ndarray]:
    """Loupe's prediction CSV (with top = every class) as file name → probabilities in class order."""
    out = {}
    with open(csv_path, newline="") as f:
        for row in csv.DictReader(f):
            probs = np.full(len(classes), np.nan, dtype=np.float64)
            k = 1
            while (f"label_{k}" if k > 1 else "label") in row:
                label = row[f"label_{k}" if k > 1 else "label"]
                probs[classes.index(label)] = float(row[f"confidence_{k}" if k > 1 else "confidence"])
                k += 1
            assert not np.isnan(probs).any(), f"{csv_path}: not every class listed for {row['path']}"
            out[Path(row["path"]).name] = probs
    return out


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """A safetensors file (8-byte header length, JSON header, little-endian data) as arrays."""
    data = path.read_bytes()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    dtypes = {"F32": np.float32, "I64": np.int64, "F64": np.float64}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + begin:8 + n + end], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return out


@pytest.fixture(scope="session")
def loupe_binary() -> Path:
    if not LOUPE.exists():
        pytest.fail(f"no loupe binary at {LOUPE}: run `swift build -c release` first (or set LOUPE_BINARY)")
    return LOUPE
