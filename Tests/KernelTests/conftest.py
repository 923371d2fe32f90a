"""Shared set-up for the kernel tests.

Every test session installs the Loupe kernelspec into a temporary prefix with
`loupe kernel install --prefix TMP`, points JUPYTER_PATH at TMP/share/jupyter (so the
kernelspec found is the one of this checkout and nothing the machine has registered), keeps
Jupyter's runtime files (connection files) in a temporary folder and runs in a temporary work
folder: kernels write their figures into loupe-out/ of their working folder.

The binary is LOUPE_BINARY when set, else .build/release/loupe of this checkout.
"""
from __future__ import annotations

import base64
import os
import queue
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOUPE = Path(os.path.abspath(os.environ.get("LOUPE_BINARY", ROOT / ".build" / "release" / "loupe")))
DATASET = "/usr/share/datasets/fashion-mnist"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# Isolate from whatever Jupyter configuration the machine or the user has, before anything of
# jupyter_client reads its paths.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="loupe-kernel-tests-"))
_PREFIX = _SESSION_DIR / "prefix"
_WORK = _SESSION_DIR / "work"
_WORK.mkdir()
os.environ["JUPYTER_PATH"] = str(_PREFIX / "share" / "jupyter")
# scripts/kernel-tests passes LOUPE_KERNEL_TESTS_RUNTIME (every process started here inherits it,
# which is how it finds and ends any kernel a crashed or timed-out run left behind).
os.environ["JUPYTER_RUNTIME_DIR"] = os.environ.get("LOUPE_KERNEL_TESTS_RUNTIME") or str(_SESSION_DIR / "runtime")
os.environ["JUPYTER_CONFIG_DIR"] = str(_SESSION_DIR / "config")
os.environ["JUPYTER_DATA_DIR"] = str(_SESSION_DIR / "data")
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
os.environ.pop("JUPYTER_CONFIG_PATH", None)
os.environ.pop("JUPYTER_PREFER_ENV_PATH", None)

_install_error: str | None = None


def loupe(*args: str, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    """Runs the binary; stdout and stderr together as text."""
    return subprocess.run([str(LOUPE), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout, **kwargs)


def _install_kernelspec() -> None:
    global _install_error
    if not LOUPE.exists():
        _install_error = f"{LOUPE} does not exist: build it first (swift build -c release)"
        return
    try:
        result = loupe("kernel", "install", "--prefix", str(_PREFIX), timeout=60)
    except subprocess.TimeoutExpired:
        _install_error = f"`{LOUPE} kernel install --prefix {_PREFIX}` did not finish within 60 s"
        return
    spec = _PREFIX / "share" / "jupyter" / "kernels" / "loupe" / "kernel.json"
    if result.returncode != 0 or not spec.exists():
        _install_error = (f"`{LOUPE} kernel install --prefix {_PREFIX}` exited {result.returncode} "
                          f"and wrote {'' if spec.exists() else 'no '}{spec}; its output begins: "
                          + (result.stdout.strip().splitlines() or [""])[0])


_install_kernelspec()


def pytest_configure(config):
    # The kernel's working folder (figures go to loupe-out/ there) and ours.
    os.chdir(_WORK)


_started: list = []


def pytest_unconfigure(config):
    for km in _started:
        try:
            if km.has_kernel and km.is_alive():
                km.shutdown_kernel(now=True)
        except Exception:
            pass
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)


def require_kernelspec() -> None:
    if _install_error:
        pytest.fail("the Loupe kernelspec could not be installed: " + _install_error, pytrace=False)


def install_error() -> str | None:
    return _install_error


@pytest.fixture(autouse=True)
def loupe_kernelspec(request):
    """Tests need the installed kernelspec (unless marked without_kernel); without it each one
    fails with the reason."""
    if _install_error and request.node.get_closest_marker("without_kernel") is None:
        pytest.fail("the Loupe kernelspec could not be installed: " + _install_error, pytrace=False)
    return _PREFIX


@pytest.fixture
def prefix() -> Path:
    return _PREFIX


@pytest.fixture
def workdir() -> Path:
    return _WORK


# ---- helpers used by several test files -----------------------------------------------------

class Executed:
    """What one execute_request produced: the reply and the IOPub messages in order."""

    def __init__(self, reply: dict, messages: list[dict]):
        self.reply = reply
        self.messages = messages

    @property
    def content(self) -> dict:
        return self.reply["content"]

    @property
    def status(self) -> str:
        return self.reply["content"]["status"]

    def of_type(self, *types: str) -> list[dict]:
        return [m for m in self.messages if m["msg_type"] in types]

    @property
    def stdout(self) -> str:
        return "".join(m["content"]["text"] for m in self.of_type("stream") if m["content"]["name"] == "stdout")

    @property
    def stderr(self) -> str:
        return "".join(m["content"]["text"] for m in self.of_type("stream") if m["content"]["name"] == "stderr")

    def result_text(self) -> str | None:
        results = self.of_type("execute_result")
        return results[-1]["content"]["data"].get("text/plain") if results else None

    def pngs(self) -> list[bytes]:
        return [base64.b64decode(m["content"]["data"]["image/png"])
                for m in self.of_type("display_data", "update_display_data", "execute_result")
                if "image/png" in m["content"]["data"]]

    def error(self) -> dict | None:
        errors = self.of_type("error")
        return errors[-1]["content"] if errors else None

    def summary(self) -> str:
        """For assertion messages: the reply and each IOPub message, shortened."""
        lines = [f"reply: {short(self.reply['content'])}"]
        for m in self.messages:
            lines.append(f"  {m['msg_type']}: {short(m['content'])}")
        return "\n".join(lines)


def short(value, limit: int = 300) -> str:
    def shrink(v):
        if isinstance(v, dict):
            return {k: ("<%d base64 chars>" % len(x) if k == "image/png" and isinstance(x, str) else shrink(x))
                    for k, x in v.items()}
        if isinstance(v, list):
            return [shrink(x) for x in v]
        return v
    text = repr(shrink(value))
    return text if len(text) <= limit else text[:limit] + "…"


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def execute(kc, code: str, timeout: float = 60, **options) -> Executed:
    """Sends one execute_request and collects its IOPub messages up to the idle status."""
    msg_id = kc.execute(code, **options)
    return collect(kc, msg_id, timeout)


def collect(kc, msg_id: str, timeout: float = 60, on_message=None) -> Executed:
    """The reply to `msg_id` and its IOPub messages from busy to idle (both left out)."""
    deadline = time.monotonic() + timeout
    messages: list[dict] = []
    reply = None
    idle = False
    while reply is None or not idle:
        left = deadline - time.monotonic()
        if left <= 0:
            got = "\n".join(f"  {m['msg_type']}: {short(m['content'])}" for m in messages)
            raise AssertionError(f"no {'reply' if reply is None else 'idle status'} within {timeout} s "
                                 f"for execute_request {msg_id}; IOPub so far:\n{got}")
        if reply is None:
            try:
                msg = kc.get_shell_msg(timeout=min(left, 0.05))
                if msg["parent_header"].get("msg_id") == msg_id:
                    reply = msg
            except queue.Empty:
                pass
        try:
            msg = kc.get_iopub_msg(timeout=min(max(left, 0.01), 0.05))
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status":
            if msg["content"]["execution_state"] == "idle":
                idle = True
            continue
        if msg["msg_type"] == "execute_input":
            continue
        messages.append(msg)
        if on_message:
            on_message(msg)
    return Executed(reply, messages)


def iopub_for(kc, msg_id: str, timeout: float = 10) -> list[dict]:
    """All IOPub messages of one request, status and execute_input included, up to idle."""
    deadline = time.monotonic() + timeout
    found = []
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=0.1)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        found.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return found
    raise AssertionError(f"no idle status for {msg_id} within {timeout} s; got {[m['msg_type'] for m in found]}")


def shell_reply(kc, msg_id: str, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no shell reply to {msg_id} within {timeout} s")
        try:
            msg = kc.get_shell_msg(timeout=left)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def control_reply(kc, msg_id: str, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no control reply to {msg_id} within {timeout} s")
        try:
            msg = kc.get_control_msg(timeout=left)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def drain_iopub(kc, seconds: float = 0.3) -> list[dict]:
    found = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            found.append(kc.get_iopub_msg(timeout=0.05))
        except queue.Empty:
            pass
    return found


def start_kernel(**kwargs):
    """A started Loupe kernel and a ready BlockingKernelClient (channels started)."""
    from jupyter_client.manager import KernelManager
    km = KernelManager(kernel_name="loupe")
    km.shutdown_wait_time = 5.0
    km.start_kernel(**kwargs)
    _started.append(km)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=30)
    except Exception:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise
    return km, kc


def stop_kernel(km, kc) -> None:
    try:
        kc.stop_channels()
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=False)


@pytest.fixture
def kernel():
    """A fresh kernel for one test: (KernelManager, BlockingKernelClient)."""
    km, kc = start_kernel()
    yield km, kc
    stop_kernel(km, kc)


@pytest.fixture(scope="module")
def shared_kernel():
    """One kernel for the tests of a module that do not disturb each other."""
    require_kernelspec()
    km, kc = start_kernel()
    yield km, kc
    stop_kernel(km, kc)
