"""Scripts as notebooks (`loupe notebook`, `loupe run --notebook OUT.ipynb`) and notebooks run
by nbclient (what `jupyter nbconvert --execute` and papermill use) on the Loupe kernel."""
from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import DATASET, PNG_SIGNATURE, ROOT, loupe

QUICKSTART = ROOT / "tutorials" / "quickstart.loupe"


def small_version(text: str) -> str:
    """The substitutions scripts/tutorials --small makes (CI's small subsets)."""
    text = re.sub(r"(?m)^limit = .*", "limit = 1500", text)
    text = re.sub(r"(?m)^epochs = .*", "epochs = 1", text)
    return text.replace("epochs=12", "epochs=2").replace("epochs=4 ", "epochs=2 ")


def code_lines(text: str) -> list[str]:
    """Statements of a script: lines that are neither blank nor comments."""
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def pngs(cell) -> list[bytes]:
    found = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data:
            found.append(base64.b64decode(data["image/png"]))
    return found


def read_notebook(path: Path):
    text = path.read_text()
    assert text.lstrip().startswith("{"), f"{path.name} is not a JSON notebook; it begins: {text[:80]!r}"
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    return nb


def script_to_notebook(script: Path, out: Path):
    result = loupe("notebook", str(script), str(out))
    assert result.returncode == 0, f"loupe notebook exited {result.returncode}: {result.stdout}"
    assert out.exists(), result.stdout
    return read_notebook(out)


@pytest.mark.without_kernel
def test_script_to_notebook_cells(tmp_path):
    nb = script_to_notebook(QUICKSTART, tmp_path / "quickstart.ipynb")
    assert nb.nbformat == 4
    assert nb.metadata.get("kernelspec", {}).get("name") == "loupe", nb.metadata
    assert nb.metadata.get("language_info", {}).get("name") == "loupe", nb.metadata
    text = QUICKSTART.read_text()
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    markdown_cells = [c for c in nb.cells if c.cell_type == "markdown"]
    # Every statement, in order, in the code cells; no comment-only code cell.
    assert [line for c in code_cells for line in code_lines(c.source)] == code_lines(text)
    assert all(code_lines(c.source) for c in code_cells), [c.source for c in code_cells]
    # One code cell per blank-line separated block that holds statements.
    blocks = [b for b in re.split(r"\n\s*\n", text) if code_lines(b)]
    assert len(code_cells) == len(blocks), [c.source for c in code_cells]
    # Leading comment blocks became Markdown.
    markdown = "\n".join(c.source for c in markdown_cells)
    assert "Look at the data first" in markdown, markdown
    assert "CIFAR-style ResNet-20" in markdown, markdown
    assert not any(c.source.lstrip().startswith("# Look at the data first") for c in code_cells)
    for c in code_cells:
        assert c.outputs == [] and c.execution_count is None


@pytest.mark.without_kernel
def test_notebook_of_a_missing_script(tmp_path):
    result = loupe("notebook", str(tmp_path / "missing.loupe"), str(tmp_path / "out.ipynb"))
    assert result.returncode == 66, f"exit {result.returncode}: {result.stdout}"
    assert not (tmp_path / "out.ipynb").exists()


@pytest.mark.without_kernel
@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "tutorials").glob("*.loupe")))
def test_tutorial_notebooks_are_made_from_their_scripts(tmp_path, name):
    """tutorials/NAME.ipynb is exactly `loupe notebook` of tutorials/NAME.loupe (scripts/notebooks)."""
    committed = ROOT / "tutorials" / f"{name}.ipynb"
    assert committed.exists(), f"tutorials/{name}.ipynb is missing: run scripts/notebooks"
    fresh = tmp_path / f"{name}.ipynb"
    script_to_notebook(ROOT / "tutorials" / f"{name}.loupe", fresh)
    assert fresh.read_bytes() == committed.read_bytes(), f"tutorials/{name}.ipynb is stale: run scripts/notebooks"


def test_quickstart_notebook_runs_on_the_kernel(tmp_path):
    # The committed tutorials/quickstart.ipynb itself, on CI's small subset (its cells' sources
    # get the substitutions scripts/tutorials --small makes).
    nb = read_notebook(ROOT / "tutorials" / "quickstart.ipynb")
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = small_version(cell.source)
    assert any("limit = 1500" in c.source for c in nb.cells), "the small subset's limit was applied"
    work = tmp_path / "work"
    work.mkdir()
    client = NotebookClient(nb, kernel_name="loupe", timeout=600, startup_timeout=60,
                            resources={"metadata": {"path": str(work)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    nbformat.validate(nb)
    errors = [(c.source, o) for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors, errors
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code_cells), [c.execution_count for c in code_cells]

    def cell_with(statement: str):
        for c in code_cells:
            if statement in c.source:
                return c
        raise AssertionError(f"no cell holds {statement!r}")

    printed = "".join(o.get("text", "") for o in cell_with("e = evaluate").outputs if o.output_type == "stream")
    assert "test accuracy" in printed, cell_with("e = evaluate").outputs
    # The kernel ran in the notebook's folder.
    assert (work / "loupe-out" / "fashion-resnet20.loupe").exists(), sorted(p.name for p in work.rglob("*"))
    # Every figure inline: the cells of commands that write figures show them as image/png.
    # (`report run` writes a page, not a figure: its cell names the HTML and Markdown files.)
    missing = []
    for statement in ("review d", "lr_range m d", "train m d"):
        images = pngs(cell_with(statement))
        assert all(i.startswith(PNG_SIGNATURE) for i in images)
        if not images:
            missing.append(statement)
    assert not missing, f"no image/png output in the cells of {missing}; " \
        f"outputs of the last: {[dict(o) for o in cell_with(missing[-1]).outputs]}"


@pytest.mark.without_kernel
def test_run_writes_an_ipynb(tmp_path):
    script = tmp_path / "small.loupe"
    script.write_text(f'# A small script.\nseed 1\nd = dataset "{DATASET}" limit=100\n\n'
                      f'# Counts per class.\nplot d\nprint "images" d.count\nx = 1 + 2\nprint x\n')
    out = tmp_path / "small.ipynb"
    result = loupe("run", str(script), "--notebook", str(out), "--workdir", str(tmp_path / "w"), timeout=120)
    assert result.returncode == 0, result.stdout
    nb = read_notebook(out)
    assert nb.nbformat == 4
    assert nb.metadata.get("kernelspec", {}).get("name") == "loupe", nb.metadata
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert code_cells, nb.cells
    all_sources = "\n".join(c.source for c in code_cells)
    for statement in code_lines(script.read_text()):
        assert statement in all_sources, (statement, all_sources)
    plot_cells = [c for c in code_cells if "plot d" in c.source]
    assert plot_cells and pngs(plot_cells[0]), plot_cells
    assert all(p.startswith(PNG_SIGNATURE) for p in pngs(plot_cells[0]))
    printed = "".join(o.get("text", "") for c in code_cells for o in c.outputs if o.output_type == "stream")
    assert "3" in printed and "images 100" in printed, printed


@pytest.mark.without_kernel
def test_run_notebook_of_a_failing_script(tmp_path):
    """The notebook still holds what ran and the error; run exits 70."""
    bad = tmp_path / "bad.loupe"
    bad.write_text('x = 1\nprint no_such_thing\n')
    out = tmp_path / "bad.ipynb"
    result = loupe("run", str(bad), "--notebook", str(out), "--workdir", str(tmp_path / "w"))
    assert result.returncode == 70, f"exit {result.returncode}: {result.stdout}"
    nb = read_notebook(out)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors and "no_such_thing" in errors[0].evalue, [c.outputs for c in nb.cells if c.cell_type == "code"]


def test_jupyter_execute_command_line(tmp_path):
    """`jupyter execute` (nbclient's command line) runs a notebook of `loupe notebook` in place,
    choosing the kernel from the notebook's metadata."""
    script = tmp_path / "n.loupe"
    script.write_text(f'# A title\nd = dataset "{DATASET}" limit=100\n\nplot d\nprint "done"\n')
    nb_path = tmp_path / "n.ipynb"
    script_to_notebook(script, nb_path)
    result = subprocess.run([str(Path(sys.executable).parent / "jupyter-execute"), str(nb_path), "--inplace"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    nb = read_notebook(nb_path)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert any(pngs(c) for c in code_cells), [c.outputs for c in code_cells]
    printed = "".join(o.get("text", "") for c in code_cells for o in c.outputs if o.output_type == "stream")
    assert "done" in printed, printed


def test_jupyter_run_command_line(tmp_path):
    """`jupyter run --kernel=loupe FILE` (jupyter_client's command line): it starts the kernel
    with FILE appended to the kernelspec's argv (as it does for every kernel), sends the file's
    text as one cell and prints what comes back."""
    script = tmp_path / "r.loupe"
    script.write_text('x = 1 + 2\nprint "x is {x}"\n')
    result = subprocess.run([str(Path(sys.executable).parent / "jupyter-run"), "--kernel=loupe", str(script)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"stdout: {result.stdout}\nstderr: {result.stderr[-2000:]}"
    assert "x is 3" in result.stdout, result.stdout
