"""The Loupe kernel driven by jupyter_client's KernelManager and BlockingKernelClient, as
JupyterLab, the classic notebook, nbclient and VS Code drive it."""
from __future__ import annotations

import base64
import json
import os
import pwd
import shutil
import queue
import re
import struct
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.session import Session

from conftest import (DATASET, LOUPE, PNG_SIGNATURE, collect, control_reply, drain_iopub, execute,
                      iopub_for, loupe, shell_reply, start_kernel, stop_kernel, strip_ansi)

TRAIN_SETUP = f"""seed 7
d = dataset "{DATASET}" limit=300
split d val=0.1
m = resnet 20 classes=d"""


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, f"not a PNG: starts with {data[:16]!r}"
    assert data[12:16] == b"IHDR", f"PNG without IHDR first: {data[:32]!r}"
    return struct.unpack(">II", data[16:24])


def assert_ok(run, what=""):
    assert run.status == "ok", f"{what}: expected status ok\n{run.summary()}"


# ---- the kernelspec ----------------------------------------------------------------------

def test_kernelspec_install_prefix(prefix):
    folder = prefix / "share" / "jupyter" / "kernels" / "loupe"
    spec = json.loads((folder / "kernel.json").read_text())
    assert spec["argv"][1:] == ["kernel", "-f", "{connection_file}"], spec["argv"]
    assert Path(spec["argv"][0]).is_absolute(), spec["argv"]
    assert os.path.realpath(spec["argv"][0]) == os.path.realpath(LOUPE), (spec["argv"][0], str(LOUPE))
    assert spec["display_name"] == "Loupe"
    assert spec["language"] == "loupe"
    assert spec.get("interrupt_mode") == "signal"
    for size in (32, 64):
        logo = (folder / f"logo-{size}x{size}.png").read_bytes()
        assert png_size(logo) == (size, size)
    # jupyter_client finds it through JUPYTER_PATH (conftest points it at the prefix).
    specs = KernelSpecManager().find_kernel_specs()
    assert "loupe" in specs and Path(specs["loupe"]) == folder, specs
    found = KernelSpecManager().get_kernel_spec("loupe")
    assert found.language == "loupe" and found.interrupt_mode == "signal"
    # And so does Jupyter's own command line.
    listed = subprocess.run([str(Path(sys.executable).parent / "jupyter-kernelspec"), "list", "--json"],
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "loupe" in json.loads(listed.stdout)["kernelspecs"], listed.stdout


@pytest.mark.without_kernel
def test_kernelspec_install_user(tmp_path):
    """--user: Jupyter's user data folder, ~/.local/share/jupyter with HOME as the environment has it."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "XDG_"))}
    env["HOME"] = str(home)
    # Should HOME be ignored, the install lands in the account's real home: undone below.
    real = Path(pwd.getpwuid(os.getuid()).pw_dir) / ".local" / "share" / "jupyter"
    made = [d for d in (real, real / "kernels", real / "kernels" / "loupe") if not d.exists()]
    try:
        result = loupe("kernel", "install", "--user", env=env)
    finally:
        if made and made[-1].exists():
            shutil.rmtree(made[0])
    user_spec = home / ".local" / "share" / "jupyter" / "kernels" / "loupe" / "kernel.json"
    assert result.returncode == 0, result.stdout
    assert user_spec.exists(), f"--user wrote no {user_spec}; output: {result.stdout}"
    assert os.path.realpath(json.loads(user_spec.read_text())["argv"][0]) == os.path.realpath(LOUPE)


@pytest.mark.without_kernel
def test_kernelspec_install_sys_prefix(tmp_path):
    """--sys-prefix: sys.prefix of the python3 first on PATH (here a fresh venv without pip)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "XDG_"))}
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    result = loupe("kernel", "install", "--sys-prefix", env=env)
    venv_spec = venv / "share" / "jupyter" / "kernels" / "loupe" / "kernel.json"
    assert result.returncode == 0, result.stdout
    assert venv_spec.exists(), f"--sys-prefix wrote no {venv_spec}; output: {result.stdout}"


@pytest.mark.without_kernel
def test_kernel_bad_usage():
    bad = loupe("kernel", "install", "--no-such-flag")
    assert bad.returncode == 64, f"exit {bad.returncode}: {bad.stdout}"
    assert "--prefix" in bad.stdout and "--user" in bad.stdout and "--sys-prefix" in bad.stdout, bad.stdout
    missing = loupe("kernel", "-f", "/nonexistent/connection.json", timeout=20)
    assert missing.returncode != 0, missing.stdout


# ---- kernel_info, heartbeat, comms -------------------------------------------------------

def test_kernel_info(shared_kernel):
    km, kc = shared_kernel
    msg_id = kc.kernel_info()
    reply = shell_reply(kc, msg_id)
    content = reply["content"]
    assert reply["header"]["msg_type"] == "kernel_info_reply"
    assert reply["header"]["version"] == "5.3", reply["header"]
    # jupyter_client turns ISO 8601 dates into datetimes; a date it could not read stays a string.
    assert isinstance(reply["header"]["date"], datetime), f"header date not ISO 8601: {reply['header']['date']!r}"
    assert content["status"] == "ok"
    assert content["protocol_version"] == "5.3"
    assert content["implementation"] == "loupe"
    assert content.get("implementation_version"), content
    info = content["language_info"]
    assert info["name"] == "loupe"
    assert info["mimetype"] == "text/x-loupe"
    assert info["file_extension"] == ".loupe"
    assert info.get("version"), info
    assert isinstance(content.get("banner"), str)
    # The kernel_info request of a client reports busy then idle on IOPub.
    states = [m["content"]["execution_state"] for m in iopub_for(kc, msg_id) if m["msg_type"] == "status"]
    assert states == ["busy", "idle"], states


def test_heartbeat_and_comm_info(shared_kernel):
    km, kc = shared_kernel
    time.sleep(1.5)  # the heartbeat channel needs a beat or two
    assert kc.hb_channel.is_beating(), "no heartbeat echo"
    assert km.is_alive()
    msg_id = kc.comm_info()
    reply = shell_reply(kc, msg_id)
    assert reply["header"]["msg_type"] == "comm_info_reply"
    assert reply["content"]["status"] == "ok"
    assert reply["content"]["comms"] == {}
    msg_id = kc.comm_info(target_name="jupyter.widget")
    assert shell_reply(kc, msg_id)["content"]["comms"] == {}


# ---- execution ---------------------------------------------------------------------------

def test_message_order_and_execution_count(shared_kernel):
    km, kc = shared_kernel
    code = 'print "order"'
    msg_id = kc.execute(code)
    reply = shell_reply(kc, msg_id, timeout=30)
    messages = iopub_for(kc, msg_id)
    types = [m["msg_type"] for m in messages]
    assert types[0] == "status" and messages[0]["content"]["execution_state"] == "busy", types
    assert types[1] == "execute_input", types
    assert messages[1]["content"]["code"] == code
    assert messages[1]["content"]["execution_count"] == reply["content"]["execution_count"]
    assert types[-1] == "status" and messages[-1]["content"]["execution_state"] == "idle", types
    assert "stream" in types, types
    count = reply["content"]["execution_count"]
    again = execute(kc, "1 + 1")
    assert again.content["execution_count"] == count + 1, again.summary()
    result = again.of_type("execute_result")[0]["content"]
    assert result["execution_count"] == count + 1
    assert result["data"]["text/plain"] == "2"


def test_variables_persist_across_cells(shared_kernel):
    km, kc = shared_kernel
    assert_ok(execute(kc, "x = 41"), "x = 41")
    run = execute(kc, "x + 1")
    assert_ok(run, "x + 1")
    assert run.result_text() == "42", run.summary()
    run = execute(kc, 'print "x is {x}"')
    assert run.stdout == "x is 41\n", run.summary()
    run = execute(kc, "for i in [1, 2] { print i }")
    assert run.stdout == "1\n2\n", run.summary()
    run = execute(kc, "vars")
    assert_ok(run, "vars")
    assert re.search(r"\bx\b", run.stdout + (run.result_text() or "")), run.summary()


def test_help_goes_to_the_pager(shared_kernel):
    km, kc = shared_kernel
    run = execute(kc, "help train")
    assert_ok(run, "help train")
    pages = [p for p in run.reply["content"]["payload"] if p.get("source") == "page"]
    assert len(pages) == 1, run.summary()
    text = pages[0]["data"]["text/plain"]
    assert "epochs" in text and "usage: train" in text, run.summary()
    assert run.stdout == "", "help is said once, in the pager"


def test_empty_comment_only_and_unicode_cells(shared_kernel):
    km, kc = shared_kernel
    for code in ("", "   \n", "# only a comment", "# a comment\n\n# another"):
        run = execute(kc, code)
        assert run.status == "ok", f"{code!r}\n{run.summary()}"
        assert not run.of_type("execute_result", "error"), f"{code!r}\n{run.summary()}"
    run = execute(kc, 'greeting = "héllo → ✓ 日本"\nprint greeting')
    assert run.stdout == "héllo → ✓ 日本\n", run.summary()
    run = execute(kc, "greeting")
    assert "héllo → ✓ 日本" in (run.result_text() or ""), run.summary()
    # cursor_pos counts Unicode code points (messaging spec 5.2 on): text before the cursor
    # with characters outside ASCII (two, three and four UTF-8 bytes, a UTF-16 surrogate pair).
    assert_ok(execute(kc, "myunicodevar = 1"))
    code = 'print "é✓𝄞" myunicodev'
    msg_id = kc.complete(code, cursor_pos=len(code))
    reply = shell_reply(kc, msg_id)["content"]
    texts = [code[:reply["cursor_start"]] + m + code[reply["cursor_end"]:] for m in reply["matches"]]
    assert 'print "é✓𝄞" myunicodevar' in texts, reply
    code = 'x = "é✓𝄞"\nrun = train m d'
    msg_id = kc.inspect(code, cursor_pos=code.index("train") + 3)
    reply = shell_reply(kc, msg_id)["content"]
    assert reply["found"] is True and "epochs" in reply["data"].get("text/plain", ""), reply


def test_quit_keeps_the_kernel(shared_kernel):
    km, kc = shared_kernel
    assert_ok(execute(kc, "before_quit = 1"))
    run = execute(kc, "quit")
    time.sleep(0.5)
    assert km.is_alive(), f"`quit` ended the kernel process\n{run.summary()}"
    run = execute(kc, "before_quit")
    assert run.result_text() == "1", run.summary()


def test_error_keeps_the_session(shared_kernel):
    km, kc = shared_kernel
    assert_ok(execute(kc, "kept = 5"))
    # A syntax error.
    run = execute(kc, "y = kept +")
    assert run.status == "error", run.summary()
    assert run.content["ename"] == "SyntaxError", run.summary()
    assert run.content["evalue"], run.summary()
    error = run.error()
    assert error is not None, f"no error message on IOPub\n{run.summary()}"
    assert error["ename"] == run.content["ename"] and error["evalue"] == run.content["evalue"]
    # A run-time error on the second line: located there, with a caret, in <cell N>.
    run = execute(kc, "a = 1\nb = no_such_name + 1")
    assert run.status == "error", run.summary()
    assert run.content["ename"] == "RuntimeError", run.summary()
    assert "no_such_name" in run.content["evalue"], run.summary()
    traceback = strip_ansi("\n".join(run.content["traceback"]))
    count = run.content.get("execution_count")
    assert re.search(r"<cell \d+>:2:\d+", traceback), traceback
    if count is not None:
        assert f"<cell {count}>" in traceback, f"execution_count {count}; traceback:\n{traceback}"
    assert "b = no_such_name + 1" in traceback, traceback
    assert re.search(r"^\s*\^", traceback, re.M), f"no caret line:\n{traceback}"
    assert strip_ansi("\n".join(run.error()["traceback"])) == traceback
    # An unknown command's suggestion.
    run = execute(kc, "trian m")
    assert run.status == "error" and "train" in run.content["evalue"], run.summary()
    # Everything is still there, including what the failed cell did before its error.
    run = execute(kc, "kept")
    assert run.result_text() == "5", run.summary()
    run = execute(kc, "a")
    assert run.result_text() == "1", run.summary()


def test_queued_cells_after_an_error_are_aborted(shared_kernel):
    km, kc = shared_kernel
    # `sleep` holds the first cell long enough for the others to be queued behind it.
    first = kc.execute("sleep 1\nx_missing_for_abort + 1")
    second = kc.execute('print "should not run"')
    third = kc.execute("after_abort = 1")
    r1 = collect(kc, first, timeout=30)
    assert r1.status == "error", r1.summary()
    for msg_id in (second, third):
        reply = shell_reply(kc, msg_id, timeout=30)
        assert reply["content"]["status"] == "aborted", \
            f"a cell queued after an error should be answered with status 'aborted', got {reply['content']}"
    time.sleep(0.5)
    printed = [m for m in drain_iopub(kc) if m["msg_type"] == "stream"]
    assert not printed, f"an aborted cell printed: {printed}"
    # The abort was for the queue only: the next cell runs, and the aborted one had no effect.
    run = execute(kc, "after_abort")
    assert run.status == "error", f"after_abort should not exist\n{run.summary()}"
    run = execute(kc, 'print "runs again"')
    assert run.stdout == "runs again\n", run.summary()

    # stop_on_error=False: the next queued cell runs.
    first = kc.execute("sleep 1\nx_missing_for_abort + 1", stop_on_error=False)
    second = kc.execute('print "ran"')
    r1 = collect(kc, first, timeout=30)
    r2 = collect(kc, second, timeout=30)
    assert r1.status == "error", r1.summary()
    assert r2.status == "ok" and r2.stdout == "ran\n", r2.summary()


def test_silent_and_store_history(shared_kernel):
    km, kc = shared_kernel
    before = execute(kc, "0").content["execution_count"]
    msg_id = kc.execute('silent_value = 9\nprint "not shown"', silent=True)
    reply = shell_reply(kc, msg_id, timeout=30)
    messages = iopub_for(kc, msg_id)
    assert reply["content"]["status"] == "ok"
    types = [m["msg_type"] for m in messages]
    # The spec says silent broadcasts no output; ipykernel still sends printed text, so only
    # execute_input and execute_result are required to be absent.
    assert "execute_input" not in types and "execute_result" not in types, \
        f"silent: no execute_input or execute_result on IOPub, got {types}"
    run = execute(kc, "silent_value", store_history=False)
    assert run.result_text() == "9", run.summary()
    after = execute(kc, "0").content["execution_count"]
    assert after == before + 1, f"silent and store_history=False cells must not count: {before} then {after}"


def test_table_value_has_html(shared_kernel):
    km, kc = shared_kernel
    setup = execute(kc, f'td = dataset "{DATASET}" limit=100\nsplit td val=0.1\ntm = resnet 20 classes=td\n'
                        f'trun = train tm td epochs=1', timeout=120)
    assert_ok(setup, "training for a history table")
    run = execute(kc, "trun.history")
    assert_ok(run, "trun.history")
    data = run.of_type("execute_result")[0]["content"]["data"]
    assert "text/plain" in data and "text/html" in data, list(data)
    assert "<table" in data["text/html"], data["text/html"][:300]
    assert "epoch" in data["text/plain"], data["text/plain"]


def test_completion_of_variables_attributes_and_paths(shared_kernel, tmp_path):
    km, kc = shared_kernel
    assert_ok(execute(kc, f'cd_data = dataset "{DATASET}" limit=100\nmyvariable = 3'))

    def complete(code, cursor=None):
        msg_id = kc.complete(code, cursor_pos=len(code) if cursor is None else cursor)
        reply = shell_reply(kc, msg_id)["content"]
        assert reply["status"] == "ok", reply
        return reply

    def completed(code, reply):
        """The code with each match put in place of cursor_start…cursor_end."""
        return [code[:reply["cursor_start"]] + m + code[reply["cursor_end"]:] for m in reply["matches"]]

    reply = complete("print myv")
    assert "print myvariable" in completed("print myv", reply), reply
    reply = complete("print cd_data.cl")
    assert "print cd_data.classes" in completed("print cd_data.cl", reply), reply
    reply = complete("print cd_data.")
    texts = completed("print cd_data.", reply)
    for attribute in ("classes", "count", "train", "test"):
        assert f"print cd_data.{attribute}" in texts, (attribute, reply)
    # In the middle of a line: the cursor is what counts.
    code = "run = train m d epo lr=0.1"
    reply = complete(code, cursor=len("run = train m d epo"))
    assert "run = train m d epochs= lr=0.1" in completed(code, reply), reply
    # Absolute paths inside strings.
    code = 'x = dataset "/usr/share/datasets/fashion-mn'
    reply = complete(code)
    assert any("/usr/share/datasets/fashion-mnist" in t for t in completed(code, reply)), reply


def test_completion_of_home_paths(tmp_path):
    """`~` in a path inside a string is the HOME the kernel was started with (as in a shell,
    and as Jupyter reads it): a kernel of its own, started with a HOME we made."""
    home = tmp_path / "home"
    (home / "loupedata-folder").mkdir(parents=True)
    env = dict(os.environ, HOME=str(home))
    km2, kc2 = start_kernel(env=env)
    try:
        code = 'x = dataset "~/loupedata-f'
        msg_id = kc2.complete(code, cursor_pos=len(code))
        reply = shell_reply(kc2, msg_id)["content"]
        texts = [code[:reply["cursor_start"]] + m + code[reply["cursor_end"]:] for m in reply["matches"]]
        assert any("~/loupedata-folder" in t or str(home / "loupedata-folder") in t for t in texts), reply
    finally:
        stop_kernel(km2, kc2)


def test_inspect_and_is_complete(shared_kernel):
    km, kc = shared_kernel
    code = "run = train m d epochs=3"
    msg_id = kc.inspect(code, cursor_pos=code.index("train") + 2)
    reply = shell_reply(kc, msg_id)["content"]
    assert reply["status"] == "ok" and reply["found"] is True, reply
    assert "epochs" in reply["data"]["text/plain"], reply
    msg_id = kc.inspect("zzz_nothing_here", cursor_pos=3)
    reply = shell_reply(kc, msg_id)["content"]
    assert reply["status"] == "ok" and reply["found"] is False, reply

    msg_id = kc.is_complete("for i in [1, 2] {")
    reply = shell_reply(kc, msg_id)["content"]
    assert reply["status"] == "incomplete", reply
    assert isinstance(reply.get("indent"), str) and reply["indent"].strip() == "" and reply["indent"], reply
    msg_id = kc.is_complete("x = 1")
    assert shell_reply(kc, msg_id)["content"]["status"] == "complete"


def test_history_request(shared_kernel):
    km, kc = shared_kernel
    for code in ("hist_a = 1", "hist_b = 2", "hist_a + hist_b"):
        assert_ok(execute(kc, code))
    msg_id = kc.history(hist_access_type="tail", n=3, output=False, raw=True)
    history = shell_reply(kc, msg_id)["content"]["history"]
    assert [h[2] for h in history] == ["hist_a = 1", "hist_b = 2", "hist_a + hist_b"], history
    msg_id = kc.history(hist_access_type="search", pattern="hist_b*", output=False, raw=True)
    history = shell_reply(kc, msg_id)["content"]["history"]
    assert [h[2] for h in history] == ["hist_b = 2"], history


def test_history_with_output(shared_kernel):
    """output=True: each entry's third item is (input, output), the output what the cell showed."""
    km, kc = shared_kernel
    assert_ok(execute(kc, "hist_c = 1"))
    assert_ok(execute(kc, "hist_c + 2"))
    msg_id = kc.history(hist_access_type="tail", n=1, output=True, raw=True)
    history = shell_reply(kc, msg_id)["content"]["history"]
    assert history[0][2][0] == "hist_c + 2" and "3" in str(history[0][2][1]), history


# ---- figures and long commands -----------------------------------------------------------

def test_plot_gives_an_inline_png(shared_kernel, workdir):
    km, kc = shared_kernel
    assert_ok(execute(kc, f'pl = dataset "{DATASET}" limit=100'))
    run = execute(kc, "plot pl")
    assert_ok(run, "plot pl")
    shown = run.of_type("display_data")
    assert shown, run.summary()
    data = shown[0]["content"]["data"]
    assert "image/png" in data and "text/plain" in data, list(data)
    width, height = png_size(base64.b64decode(data["image/png"]))
    assert width >= 100 and height >= 100, (width, height)
    # The figure is also a file in loupe-out/ of the kernel's working folder.
    assert list((workdir / "loupe-out").glob("*.png")), list(workdir.iterdir())


def test_training_shows_progress_and_curves():
    km, kc = start_kernel()
    try:
        assert_ok(execute(kc, TRAIN_SETUP, timeout=60), "setup")
        started = time.monotonic()
        run = execute(kc, "run = train m d epochs=2", timeout=180)
        elapsed = time.monotonic() - started
        assert_ok(run, "train")
        displays = {}
        for m in run.of_type("display_data"):
            display_id = m["content"].get("transient", {}).get("display_id")
            if display_id:
                displays[display_id] = m["content"]["data"]
        updates = run.of_type("update_display_data")
        assert displays, f"no display_data with transient.display_id\n{run.summary()}"
        assert updates, f"no update_display_data\n{run.summary()}"
        for u in updates:
            display_id = u["content"]["transient"]["display_id"]
            assert display_id in displays, f"update of a display_id never shown: {display_id}"
        # The progress display: text, at most ~4 updates a second.
        progress = [i for i, d in displays.items() if "image/png" not in d]
        assert progress, f"no text progress display: {displays}"
        progress_updates = [u for u in updates if u["content"]["transient"]["display_id"] in progress]
        # Bar redraws are throttled to ~4 a second; each epoch's end also redraws once for its
        # finished bar and once for its row of the table (2 epochs here), whatever the time.
        assert len(progress_updates) <= 4 * elapsed + 3 + 2 * 2, f"{len(progress_updates)} updates in {elapsed:.1f} s"
        # The loss-curve display: a PNG, updated once per epoch at most.
        curves = [i for i, d in displays.items() if "image/png" in d]
        assert curves, f"no loss-curve PNG display\n{run.summary()}"
        curve_updates = [u for u in updates if u["content"]["transient"]["display_id"] in curves]
        assert 1 <= len(curve_updates) <= 2, f"{len(curve_updates)} loss-curve updates for 2 epochs"
        for u in curve_updates:
            png_size(base64.b64decode(u["content"]["data"]["image/png"]))
        run = execute(kc, "run.epochs")
        assert run.result_text() == "2", run.summary()
        run = execute(kc, "plot run")
        assert run.pngs(), run.summary()
        run = execute(kc, "e = evaluate m d.test\ne.accuracy")
        assert_ok(run, "evaluate")
        assert 0 <= float(run.result_text()) <= 1, run.summary()
    finally:
        stop_kernel(km, kc)


def test_interrupt_during_training():
    km, kc = start_kernel()
    try:
        setup = (f'seed 3\nbig = dataset "{DATASET}" limit=6000\nsplit big val=0.1\n'
                 f'bm = resnet 20 classes=big\nkeep_me = 17')
        assert_ok(execute(kc, setup, timeout=120), "setup")
        msg_id = kc.execute("brun = train bm big epochs=20")
        # Wait for the first progress message, then interrupt.
        deadline = time.monotonic() + 120
        while True:
            assert time.monotonic() < deadline, "no progress message within 120 s"
            try:
                msg = kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] in ("display_data", "update_display_data"):
                break
        interrupted_at = time.monotonic()
        km.interrupt_kernel()
        interrupted = collect(kc, msg_id, timeout=30)
        took = time.monotonic() - interrupted_at
        assert took < 15, f"the interrupt took {took:.1f} s to stop training"
        assert km.is_alive()
        # The session goes on with the same variables...
        run = execute(kc, "keep_me + 1")
        assert run.result_text() == "18", run.summary()
        run = execute(kc, "bm.params")
        assert_ok(run, "bm.params after the interrupt")
        # ...and the interrupted cell was answered as the spec says.
        content = interrupted.content
        assert content["status"] == "error" and content.get("ename") == "Interrupted", \
            f"expected an error reply with ename 'Interrupted'\n{interrupted.summary()}"
        error = interrupted.error()
        assert error is not None and error["ename"] == "Interrupted", interrupted.summary()
    finally:
        stop_kernel(km, kc)


def test_interrupt_sleep_and_the_cells_queued_behind_it():
    km, kc = start_kernel()
    try:
        assert_ok(execute(kc, "v = 1"))
        msg_id = kc.execute("sleep 60")
        time.sleep(1.5)
        started = time.monotonic()
        km.interrupt_kernel()
        reply = shell_reply(kc, msg_id, timeout=20)
        assert time.monotonic() - started < 5, "sleep was not stopped within 5 s"
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "Interrupted", reply["content"]
        drain_iopub(kc)
        run = execute(kc, "v")
        assert run.result_text() == "1", run.summary()
        # "Run all" then the stop button: the interrupted cell fails, the cells queued behind it
        # are aborted (as after any error) instead of running on.
        first = kc.execute("sleep 60")
        queued = kc.execute('queued_ran = 1\nprint "queued cell ran"')
        time.sleep(1.5)
        km.interrupt_kernel()
        assert shell_reply(kc, first, timeout=20)["content"].get("ename") == "Interrupted"
        reply = shell_reply(kc, queued, timeout=20)
        assert reply["content"]["status"] == "aborted", f"the cell queued behind an interrupted one: {reply['content']}"
        drain_iopub(kc)
        # Interrupting an idle kernel is harmless.
        km.interrupt_kernel()
        time.sleep(0.5)
        assert km.is_alive()
        run = execute(kc, 'print "still here"')
        assert run.stdout == "still here\n", run.summary()
    finally:
        stop_kernel(km, kc)


# ---- lifecycle ---------------------------------------------------------------------------

def test_restart_gives_a_fresh_session():
    km, kc = start_kernel()
    try:
        assert_ok(execute(kc, "before_restart = 1"))
        pid = km.provisioner.pid if km.provisioner else None
        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=30)
        drain_iopub(kc)
        assert km.provisioner is None or km.provisioner.pid != pid
        run = execute(kc, "before_restart")
        assert run.status == "error", f"the variable survived the restart\n{run.summary()}"
        run = execute(kc, "after_restart = 2\nafter_restart")
        assert run.result_text() == "2", run.summary()
    finally:
        stop_kernel(km, kc)


@pytest.mark.parametrize("restart", [True, False])
def test_shutdown_request_ends_the_process(restart):
    km, kc = start_kernel()
    try:
        msg_id = kc.shutdown(restart=restart)
        reply = control_reply(kc, msg_id)
        assert reply["header"]["msg_type"] == "shutdown_reply"
        assert reply["content"]["status"] == "ok" and reply["content"]["restart"] is restart, reply["content"]
        deadline = time.monotonic() + 10
        while km.is_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not km.is_alive(), "the kernel process is still running 10 s after shutdown_request"
    finally:
        stop_kernel(km, kc)


def test_two_kernels_at_once():
    (km1, kc1), (km2, kc2) = start_kernel(), start_kernel()
    try:
        assert_ok(execute(kc1, "who = 1"))
        assert_ok(execute(kc2, "who = 2"))
        # Both busy at the same time.
        a = kc1.execute("sleep 1\nwho * 10")
        b = kc2.execute("sleep 1\nwho * 10")
        ra, rb = collect(kc1, a, timeout=30), collect(kc2, b, timeout=30)
        assert ra.result_text() == "10", ra.summary()
        assert rb.result_text() == "20", rb.summary()
        km1.restart_kernel(now=False)
        kc1.wait_for_ready(timeout=30)
        assert execute(kc2, "who").result_text() == "2"
        assert execute(kc1, "who").status == "error"
    finally:
        stop_kernel(km1, kc1)
        stop_kernel(km2, kc2)


def test_a_badly_signed_message_is_ignored(shared_kernel):
    km, kc = shared_kernel
    forged = Session(key=b"not-the-key", username="mallory")
    msg = forged.msg("execute_request", content={
        "code": "forged = 1", "silent": False, "store_history": True,
        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
    forged.send(kc.shell_channel.socket, msg)
    try:
        answer = kc.get_shell_msg(timeout=2)
    except queue.Empty:
        pass
    else:
        pytest.fail(f"the kernel answered a message signed with the wrong key: {answer['msg_type']} {answer['content']}")
    assert km.is_alive()
    run = execute(kc, "forged")
    assert run.status == "error", f"a message with a bad signature was executed\n{run.summary()}"
    msg_id = kc.kernel_info()
    assert shell_reply(kc, msg_id)["content"]["status"] == "ok"


def test_kernel_exits_when_its_client_process_dies(tmp_path):
    """Beyond the brief's list, as ipykernel does: jupyter_client starts kernels in a session of
    their own and sets JPY_PARENT_PID; a kernel whose parent (the notebook server, nbclient…)
    was killed should exit instead of running on forever (a leftover kernel keeps CI waiting)."""
    pid_file = tmp_path / "kernel.pid"
    parent = subprocess.Popen([sys.executable, "-c", f"""
import time
from jupyter_client.manager import KernelManager
km = KernelManager(kernel_name="loupe")
km.start_kernel()
kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=30)
open({str(pid_file)!r}, "w").write(str(km.provisioner.pid))
time.sleep(120)
"""])
    try:
        deadline = time.monotonic() + 40
        while not pid_file.exists() or not pid_file.read_text():
            assert parent.poll() is None, "the helper process failed to start a kernel"
            assert time.monotonic() < deadline, "no kernel within 40 s"
            time.sleep(0.2)
        kernel_pid = int(pid_file.read_text())
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    alive = True
    while time.monotonic() < deadline:
        try:
            os.kill(kernel_pid, 0)
        except ProcessLookupError:
            alive = False
            break
        time.sleep(0.2)
    if alive:
        os.kill(kernel_pid, 9)
    assert not alive, f"the kernel (pid {kernel_pid}) still runs 10 s after its parent was killed"


def test_unknown_requests_leave_the_kernel_working(shared_kernel):
    """Front ends send requests a kernel may not know (JupyterLab's resource extension sends
    usage_request on control; future messages): no reply is needed, the kernel must go on."""
    km, kc = shared_kernel
    kc.control_channel.send(kc.session.msg("usage_request", {}))
    kc.shell_channel.send(kc.session.msg("no_such_request", {"x": 1}))
    time.sleep(1)
    assert km.is_alive()
    run = execute(kc, 'print "after unknown requests"')
    assert run.stdout == "after unknown requests\n", run.summary()


def test_two_clients_on_one_kernel(shared_kernel):
    """A second client on the same connection file, with a session of its own (a console next
    to a notebook): each gets its own replies, both see every IOPub message."""
    km, kc = shared_kernel
    other = BlockingKernelClient(connection_file=km.connection_file)
    other.load_connection_file()
    other.start_channels()
    try:
        other.wait_for_ready(timeout=30)
        drain_iopub(kc)
        drain_iopub(other)
        msg_id = kc.execute('shared_by_two = 5\nprint "from the first"')
        run = collect(kc, msg_id)
        assert run.stdout == "from the first\n", run.summary()
        messages = iopub_for(other, msg_id)
        text = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")
        assert text == "from the first\n", [m["msg_type"] for m in messages]
        msg_id = other.execute("shared_by_two + 1")
        reply = shell_reply(other, msg_id, timeout=30)
        assert reply["content"]["status"] == "ok", reply["content"]
        try:
            stray = kc.get_shell_msg(timeout=1)
        except queue.Empty:
            stray = None
        assert stray is None, f"the first client got a shell message: {stray['msg_type']} {stray['content']}"
    finally:
        other.stop_channels()
        drain_iopub(kc)


def test_heartbeat_while_busy_and_shutdown_while_busy():
    """Long commands must not stop the heartbeat (consoles take a silent heartbeat for a dead
    kernel), and a shutdown (the Kernel menu while a cell runs) is answered at once."""
    km, kc = start_kernel()
    try:
        msg_id = kc.execute("sleep 30")
        time.sleep(3.5)
        assert kc.hb_channel.is_beating(), "the heartbeat stopped while a command ran"
        started = time.monotonic()
        shutdown_id = kc.shutdown(restart=False)
        reply = control_reply(kc, shutdown_id, timeout=10)
        assert reply["content"]["status"] == "ok"
        deadline = time.monotonic() + 10
        while km.is_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not km.is_alive(), "the kernel runs on 10 s after a shutdown_request sent while busy"
        assert time.monotonic() - started < 10
    finally:
        stop_kernel(km, kc)
