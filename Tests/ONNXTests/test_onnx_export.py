"""Loupe's ONNX export against the official tools.

For each model: Loupe builds (and mostly trains, so that BatchNorm's running statistics are not
the initial 0 and 1), saves, exports with `export m "FILE.onnx"` and classifies a folder of fixed
images with `predict`; the file must pass `onnx.checker.check_model(full_check=True)`, and ONNX
Runtime's probabilities on the same pixels must match Loupe's within 1e-4 (Loupe's CSV gives
4 decimals, a rounding of at most 5e-5).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from conftest import FIXTURES, ROOT, make_dataset, make_folder, read_predictions, read_safetensors, run_loupe

TOLERANCE = 1e-4
ALLOWED_OPS = {"Sub", "Mul", "Conv", "Relu", "MaxPool", "Add", "GlobalAveragePool", "Flatten", "Gemm", "Softmax"}
CLASSES = ["dent", "good", "scratch"]  # sorted, as Loupe lists a folder's classes

# name: (model statement, input width/height, channels, train on a dataset first, expected Gemm count)
CASES = {
    "resnet18_imagenet_stem": ("m = resnet 18 classes=d stem=imagenet", 64, 3, True, 1),
    "resnet18_untrained": ("m = resnet 18 classes=4 channels=3 stem=imagenet size=64x64", 64, 3, False, 1),
    "resnet50_imagenet_stem": ("m = resnet 50 classes=d stem=imagenet", 64, 3, True, 1),
    "resnet20_grey": ("m = resnet 20 classes=d channels=1", 32, 1, True, 1),
    "hidden_head": ("m = resnet 20 classes=d channels=3 head=32 dropout=0.5", 32, 3, True, 2),
}


def session(path: Path) -> ort.InferenceSession:
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def check_structure(model: onnx.ModelProto, channels: int, size: int, classes: list[str], gemms: int) -> None:
    assert model.ir_version == 8
    assert [(o.domain, o.version) for o in model.opset_import] == [("", 17)]
    assert model.producer_name == "Loupe"
    graph = model.graph
    assert [i.name for i in graph.input] == ["pixels"]
    dims = graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "N" and [d.dim_value for d in dims[1:]] == [channels, size, size]
    assert graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert [o.name for o in graph.output] == ["logits", "probabilities"]
    ops = [n.op_type for n in graph.node]
    assert set(ops) <= ALLOWED_OPS, f"unexpected operators {set(ops) - ALLOWED_OPS}"
    assert "BatchNormalization" not in ops and "Dropout" not in ops
    assert ops.count("Gemm") == gemms
    softmax = [n for n in graph.node if n.op_type == "Softmax"][0]
    assert [(a.name, a.i) for a in softmax.attribute] == [("axis", 1)]
    meta = {p.key: p.value for p in model.metadata_props}
    assert json.loads(meta["classes"]) == classes
    assert meta["input_width"] == meta["input_height"] == str(size)
    assert meta["channels"] == str(channels)
    assert len(json.loads(meta["mean"])) == len(json.loads(meta["std"])) == channels
    for key in ("loupe_version", "model_version", "training", "normalization", "architecture"):
        assert meta.get(key), f"metadata_props lacks {key}"


def compare_with_predict(onnx_path: Path, csv_path: Path, images: dict[str, np.ndarray], classes: list[str]) -> None:
    loupe = read_predictions(csv_path, classes)
    assert sorted(loupe) == sorted(images)
    s = session(onnx_path)
    names = sorted(images)
    batch = np.concatenate([images[n] for n in names])
    logits, probabilities = s.run(["logits", "probabilities"], {"pixels": batch})
    assert probabilities.shape == (len(names), len(classes))
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(probabilities, e / e.sum(axis=1, keepdims=True), atol=1e-6)
    expected = np.stack([loupe[n] for n in names])
    diff = np.abs(probabilities - expected)
    worst = np.unravel_index(diff.argmax(), diff.shape)
    print(f"{onnx_path.parent.name}: max |ONNX Runtime - predict| = {diff.max():.2e} over {diff.size} probabilities")
    assert diff.max() <= TOLERANCE, (f"ONNX Runtime differs from Loupe's predict by {diff.max():.2e} at "
                                     f"{names[worst[0]]}, class {classes[worst[1]]}: {probabilities[worst]:.6f} vs {expected[worst]:.4f}")
    # A single image gives the same answer as inside a batch (the batch dimension is symbolic).
    one = s.run(["probabilities"], {"pixels": images[names[0]]})[0]
    np.testing.assert_allclose(one[0], probabilities[0], atol=1e-6)


@pytest.mark.parametrize("case", list(CASES))
def test_export_matches_predict(case: str, tmp_path: Path, loupe_binary: Path) -> None:
    statement, size, channels, train, gemms = CASES[case]
    images = make_folder(tmp_path / "fixed", 6, size, size, channels, seed=7)
    lines = ["seed 5"]
    if train:
        make_dataset(tmp_path / "data", CLASSES, 6, size, size, channels)
        lines += [f'd = dataset "{tmp_path / "data"}"', "split d train=0.67 val=0.33 test=0"]
    lines.append(statement)
    if train:
        lines.append("run = train m d epochs=1 lr=0.05 checkpoint=false")
    # Through a saved file, as a deployed model would go: save, load, export.
    lines += [f'save m "{tmp_path / "m.loupe"}"', f'm = load_model "{tmp_path / "m.loupe"}"',
              f'export m "{tmp_path / "m.onnx"}"',
              f'p = predict m "{tmp_path / "fixed"}" top=10 to="{tmp_path / "p.csv"}"']
    result = run_loupe("\n".join(lines) + "\n", tmp_path)
    assert f"to {tmp_path / 'm.onnx'} (ONNX opset 17" in result.stdout
    written = (tmp_path / "m.onnx").read_bytes()
    model = onnx.load_from_string(written)
    onnx.checker.check_model(model, full_check=True)
    # Loupe's own protobuf writer gives the very bytes the official protobuf library writes.
    assert model.SerializeToString() == written
    classes = CLASSES if train else ["0", "1", "2", "3"]
    check_structure(model, channels, size, classes, gemms)
    meta = {p.key: p.value for p in model.metadata_props}
    assert (meta["training"] != "untrained") == train
    compare_with_predict(tmp_path / "m.onnx", tmp_path / "p.csv", images, classes)


def test_imported_torchvision_model(tmp_path: Path, loupe_binary: Path) -> None:
    """torchvision's resnet18 (fixture with randomised BatchNorm statistics), imported, exported."""
    weights = FIXTURES / "torch" / "resnet18.safetensors"
    images = make_folder(tmp_path / "fixed", 5, 64, 64, 3, seed=11)
    run_loupe(f'm = import_model "{weights}" arch=resnet18 size=64x64\n'
              f'export m "{tmp_path / "m.onnx"}"\n'
              f'p = predict m "{tmp_path / "fixed"}" top=10 to="{tmp_path / "p.csv"}"\n', tmp_path)
    model = onnx.load(str(tmp_path / "m.onnx"))
    onnx.checker.check_model(model, full_check=True)
    classes = json.loads({p.key: p.value for p in model.metadata_props}["classes"])
    assert len(classes) == 10
    check_structure(model, 3, 64, classes, 1)
    compare_with_predict(tmp_path / "m.onnx", tmp_path / "p.csv", images, classes)


def test_imported_torchvision_model_matches_pytorch(tmp_path: Path, loupe_binary: Path) -> None:
    """Without normalisation the graph's input is torchvision's: ONNX Runtime's logits on the
    fixture's input equal PyTorch's eval-mode logits (resnet18_io.safetensors)."""
    io = read_safetensors(FIXTURES / "torch" / "resnet18_io.safetensors")
    run_loupe(f'm = import_model "{FIXTURES / "torch" / "resnet18.safetensors"}" arch=resnet18 size=64x64 normalize=none\n'
              f'export m "{tmp_path / "m.onnx"}"\n', tmp_path)
    logits = session(tmp_path / "m.onnx").run(["logits"], {"pixels": io["x"].astype(np.float32)})[0]
    np.testing.assert_allclose(logits, io["logits"], atol=1e-4, rtol=1e-4)


def test_unwritable_path_fails_clearly_and_leaves_nothing(tmp_path: Path, loupe_binary: Path) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("not a folder")
    target = blocker / "m.onnx"
    result = run_loupe(f'm = resnet 20 classes=2\nexport m "{target}"\n', tmp_path, expect_ok=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"cannot write '{target}'" in output and "nothing was written" in output, output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loupe-out", "plain-file", "script.loupe"] or \
        sorted(p.name for p in tmp_path.iterdir()) == ["plain-file", "script.loupe"]


def test_export_dispatches_on_kind_and_extension(tmp_path: Path, loupe_binary: Path) -> None:
    make_folder(tmp_path / "fixed", 2, 32, 32, 3, seed=1)
    result = run_loupe(f'm = resnet 20 classes=2\nexport m "{tmp_path / "m.csv"}"\n', tmp_path, expect_ok=False)
    assert result.returncode != 0 and "a model exports to ONNX" in result.stdout + result.stderr
    result = run_loupe(f'm = resnet 20 classes=2\np = predict m "{tmp_path / "fixed"}"\nexport p "{tmp_path / "p.onnx"}"\n',
                       tmp_path, expect_ok=False)
    assert result.returncode != 0 and "only a model exports to ONNX" in result.stdout + result.stderr
    # Tables still export as CSV.
    run_loupe(f'm = resnet 20 classes=2\np = predict m "{tmp_path / "fixed"}"\nexport p "{tmp_path / "p.csv"}"\n', tmp_path)
    assert (tmp_path / "p.csv").read_text().startswith("path,label,confidence")
    assert not (tmp_path / "m.csv").exists() and not (tmp_path / "p.onnx").exists()


def deploy_snippet() -> str:
    """The Python block of the README's Deploy section."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Deploy", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_readme_deploy_snippet(tmp_path: Path, loupe_binary: Path) -> None:
    snippet = deploy_snippet()
    assert len(snippet.strip().splitlines()) <= 10
    (tmp_path / "deploy.py").write_text(snippet)
    make_dataset(tmp_path / "data", CLASSES, 6, 32, 32, 3)
    make_folder(tmp_path / "fixed", 3, 32, 32, 3, seed=3)
    run_loupe(f'seed 2\nd = dataset "{tmp_path / "data"}"\nsplit d train=0.67 val=0.33 test=0\nm = resnet 20 classes=d\n'
              f'run = train m d epochs=1 checkpoint=false\nexport m "{tmp_path / "m.onnx"}"\n'
              f'p = predict m "{tmp_path / "fixed"}" top=1 to="{tmp_path / "p.csv"}"\n', tmp_path)
    loupe = read_predictions_top1(tmp_path / "p.csv")
    for name, (label, confidence) in loupe.items():
        out = subprocess.run([sys.executable, str(tmp_path / "deploy.py"), str(tmp_path / "m.onnx"), str(tmp_path / "fixed" / name)],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        printed_label, printed_confidence = out.stdout.split()
        assert printed_label == label
        assert abs(float(printed_confidence.rstrip("%")) - 100 * confidence) <= 0.06, (out.stdout, confidence)


def read_predictions_top1(csv_path: Path) -> dict[str, tuple[str, float]]:
    import csv
    with open(csv_path, newline="") as f:
        return {Path(r["path"]).name: (r["label"], float(r["confidence"])) for r in csv.DictReader(f)}
