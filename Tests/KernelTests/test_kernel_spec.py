"""jupyter_kernel_test's protocol conformance suite against the Loupe kernel.

Every sample attribute of jupyter_kernel_test 0.7 is set: warnings are the kernel's stderr
stream, `help` goes to the pager (as IPython's `?`), and `clear` clears the cell's output.
"""
from __future__ import annotations

import jupyter_kernel_test

from conftest import DATASET, install_error


class LoupeKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "loupe"

    @classmethod
    def setUpClass(cls) -> None:
        if install_error():
            raise RuntimeError("the Loupe kernelspec could not be installed: " + install_error())
        super().setUpClass()
    language_name = "loupe"
    file_extension = ".loupe"

    code_hello_world = 'print "hello, world"'
    # augment's warning about vertical flips is a stderr stream in a notebook.
    code_stderr = f'd = dataset "{DATASET}" limit=20\naugment d flip_v'
    code_page_something = "? train"
    code_clear_output = "clear"

    # matches: the exact set the reply must hold (cursor at the end of the text).
    completion_samples = [
        {"text": "tra", "matches": {"train"}},
        {"text": "lr_", "matches": {"lr_find", "lr_range"}},
        {"text": "run = fine", "matches": {"fine_tune"}},
        {"text": "run = train m d epo", "matches": {"epochs="}},
        {"text": "run = train m d optimizer=", "matches": {"adamw", "sgd"}},
        {"text": "help sav", "matches": {"save", "save_session"}},
        {"text": "m = resnet 20 st"},  # a reply of the right shape, whatever it holds
    ]

    complete_code_samples = [
        "x = 1",
        'print "hello, world"',
        "for i in [1, 2] { print i }",
        "for i in [1, 2] {\n  print i\n}",
        "1 + 2",
        "",
    ]
    incomplete_code_samples = [
        "for i in [1, 2] {",
        "for i in [1, 2] {\n  print i",
        "print (1 +",
        "x = [1,\n 2,",
        "if x > 1 {\n  print x\n} else {",
    ]
    invalid_code_samples = [
        "x = )",
        "print 1 ]",
        "}",
    ]

    code_generate_error = "x = no_such_variable"

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "6 * 7", "result": "42"},
        {"code": "[1, 2, 3]", "mime": "text/plain"},
    ]

    code_display_data = [
        {"code": f'pd = dataset "{DATASET}" limit=100\nplot pd', "mime": "image/png"},
    ]

    # Matches exactly one of code_execute_result's codes (glob syntax, as IPython's history).
    code_history_pattern = "6 *"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "train"
