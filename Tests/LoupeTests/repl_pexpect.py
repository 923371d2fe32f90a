#!/usr/bin/env python3
"""Drives the loupe REPL through a pseudo-terminal (pexpect) and prints a pass/fail summary.

usage: repl_pexpect.py PATH-TO-LOUPE
Exit status 0 when every check passes, 1 otherwise, 2 when pexpect is missing.
"""
import os
import re
import shutil
import sys
import tempfile
import time

try:
    import pexpect
except ImportError:
    print("REPL tests: pexpect is missing (pip install pexpect)")
    sys.exit(2)

PROMPT = r"loupe \[\d+\]> "
binary = os.path.abspath(sys.argv[1])
folder = tempfile.mkdtemp(prefix="loupe-repl-")
history_file = os.path.join(folder, "history")
os.makedirs(os.path.join(folder, "data"))
with open(os.path.join(folder, "data", "setup.loupe"), "w") as f:
    f.write("y = 42\n")

env = dict(os.environ, LOUPE_HISTORY=history_file, TERM="xterm", HOME=folder)
child = pexpect.spawn(binary, cwd=folder, env=env, encoding="utf-8", timeout=5, dimensions=(40, 200))
transcript = open(os.path.join(folder, "transcript.txt"), "w")
child.logfile_read = transcript

results = []


def line_with(text):
    """A printed line that is exactly `text` (readline may put \\r or escape codes before it)."""
    return r"[\r\n]" + re.escape(text) + r"\r?\n"


def check(name):
    def run(body):
        try:
            body()
            results.append((name, None))
            print("PASS", name)
        except Exception as error:  # a timeout or a failed expectation
            results.append((name, error))
            print("FAIL", name, "-", type(error).__name__, str(error).splitlines()[0] if str(error) else "")
            # Get back to a clean prompt for the next check.
            child.sendintr()
            try:
                child.expect(PROMPT, timeout=3)
            except Exception:
                pass
        return body
    return run


child.expect(PROMPT)


@check("Tab completes a command name")
def _():
    child.send("workd\t")
    time.sleep(0.3)
    child.send("\r")
    child.expect(line_with("loupe-out/"))
    child.expect(PROMPT)


@check("Tab completes a parameter name")
def _():
    child.send("sleep sec\t")
    time.sleep(0.3)
    child.send("0.01\r")
    child.expect(PROMPT)
    child.send("history\r")
    child.expect(r"sleep seconds=0\.01")
    child.expect(PROMPT)


@check("Tab completes relative, absolute and ~ paths inside a string")
def _():
    for typed in ['source "data/se', 'source "' + folder + '/data/se', 'source "~/data/se']:  # HOME is the scratch folder
        child.send("y = 0\r")
        child.expect(PROMPT)
        child.send(typed + "\t")
        time.sleep(0.3)
        child.send("\r")
        child.expect(PROMPT)
        child.send("print y\r")
        child.expect(line_with("42"))
        child.expect(PROMPT)


@check("up arrow recalls the previous statement")
def _():
    child.send("print 6 * 7\r")
    child.expect(line_with("42"))
    child.expect(PROMPT)
    child.send("\x1b[A")
    time.sleep(0.3)
    child.send("\r")
    child.expect(line_with("42"))
    child.expect(PROMPT)


@check("Ctrl-C stops 'sleep 30' and keeps the variables")
def _():
    child.send("x = 5\r")
    child.expect(PROMPT)
    child.send("sleep 30\r")
    time.sleep(1.0)
    start = time.time()
    child.sendintr()
    child.expect("interrupted", timeout=5)
    child.expect(PROMPT)
    if time.time() - start > 3:
        raise AssertionError("sleep took %.1f s to stop" % (time.time() - start))
    child.send("print x\r")
    child.expect(line_with("5"))
    child.expect(PROMPT)


@check("an error leaves the session unchanged")
def _():
    child.send("x = 1 / 0\r")
    child.expect("division by zero")
    child.expect(PROMPT)
    child.send("for v in [1, 0] { x = x + 1 / v }\r")
    child.expect("division by zero")
    child.expect(PROMPT)
    child.send("print x\r")
    child.expect(line_with("5"))
    child.expect(PROMPT)


@check("Ctrl-C at the prompt clears the line")
def _():
    child.send("print 999")
    time.sleep(0.3)
    child.sendintr()
    child.expect(PROMPT)
    child.send("print 1\r")
    child.expect(line_with("1"))
    if re.search(r"[\r\n]999\r?\n", child.before or ""):
        raise AssertionError("the cancelled line ran")
    child.expect(PROMPT)


@check("an open bracket asks for more lines")
def _():
    child.send("z = [1,\r")
    child.expect(r"\.\.\.> ")
    child.send("2]\r")
    child.expect(PROMPT)
    child.send("print z\r")
    child.expect(line_with("[1, 2]"))
    child.expect(PROMPT)


@check("a bracketed paste of several lines runs them all")
def _():
    child.send("\x1b[200~a = 1\nb = a + 1\x1b[201~")
    time.sleep(0.3)
    child.send("\r")
    child.expect(PROMPT)
    child.send("print a b\r")
    child.expect(line_with("1 2"))
    child.expect(PROMPT)


@check("Ctrl-D quits with status 0")
def _():
    child.sendeof()
    child.expect(pexpect.EOF, timeout=5)
    child.close()
    if child.exitstatus != 0:
        raise AssertionError("exit status %r" % child.exitstatus)


@check("the history file keeps the statements")
def _():
    with open(history_file) as f:
        saved = f.read()
    if "print 6 * 7" not in saved:
        raise AssertionError("history file: %r" % saved[:200])


transcript.close()
failed = [name for name, error in results if error is not None]
print("REPL tests: %d passed, %d failed" % (len(results) - len(failed), len(failed)))
if failed:
    with open(os.path.join(folder, "transcript.txt")) as f:
        print("--- transcript ---")
        print(f.read()[-3000:])
shutil.rmtree(folder, ignore_errors=True)
sys.exit(1 if failed else 0)
