"""ctx.py.analyze: imports and calls classified as safe, needs_confirm or blocked, through aliases."""

from __future__ import annotations

import pytest

from dotdo.primitives.pyx import analyze


@pytest.mark.parametrize(
    "code",
    [
        "1 + 1",
        "import json, csv, math\njson.dumps({'a': math.pi})",
        "import pandas as pd\ndf = pd.read_csv('data.csv')\ndf.total.sum()",
        "open('out.txt', 'w').write('x')",
        "from pathlib import Path\nPath('reports/a.txt').write_text('x')",
        "eval('1 + 1')",
        "import os\nos.listdir('.')",
    ],
)
def test_safe(code: str) -> None:
    analysis = analyze(code)
    assert analysis.verdict == "safe", analysis.reasons
    assert analysis.reasons == []


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("import os\nos.system('ls')", "exec"),
        ("import os as o\no.popen('ls')", "exec"),
        ("from os import system as run\nrun('ls')", "exec"),
        ("import subprocess\nsubprocess.run(['ls'])", "exec"),
        ("from subprocess import check_output", "exec"),
        ("import socket", "network"),
        ("import urllib.request\nurllib.request.urlopen('http://example.com')", "network"),
        ("import requests", "network"),
        ("name = input()\neval(name)", "dynamic"),
        ("__import__('o' + 's')", "dynamic"),
        ("import importlib\nimportlib.import_module('x')", "dynamic"),
        ("import os\nos.execv('/bin/sh', ['sh'])", "exec"),
    ],
)
def test_needs_confirm(code: str, kind: str) -> None:
    analysis = analyze(code)
    assert analysis.verdict == "needs_confirm", analysis.reasons
    assert kind in analysis.kinds


@pytest.mark.parametrize(
    "code",
    [
        "import ctypes",
        "from ctypes import CDLL",
        "import cffi",
        "open('/etc/passwd', 'w').write('x')",
        "open('/usr/lib/x', mode='a')",
        "from pathlib import Path\nPath('/etc/hosts').write_text('x')",
        "import shutil\nshutil.rmtree('/')",
        "import os\nos.remove('/proc/self/mem')",
        "import os\nos.setuid(0)",
    ],
)
def test_blocked(code: str) -> None:
    assert analyze(code).verdict == "blocked"


def test_reasons_name_the_line_and_what_was_found() -> None:
    analysis = analyze("x = 1\nimport subprocess\nimport ctypes")
    assert analysis.verdict == "blocked"
    assert analysis.reasons == [
        "line 2: imports subprocess (exec)",
        "line 3: imports ctypes: ctypes reads and writes raw memory",
    ]
    assert analysis.imports == ["subprocess", "ctypes"]


def test_reading_system_files_is_not_a_write() -> None:
    assert analyze("open('/etc/hostname').read()").verdict == "safe"


def test_code_that_does_not_parse_is_reported_not_raised() -> None:
    analysis = analyze("def (:")
    assert analysis.syntax_error is not None
    assert "SyntaxError" in analysis.syntax_error


def test_code_must_be_text() -> None:
    with pytest.raises(TypeError, match="str"):
        analyze(b"1 + 1")  # type: ignore[arg-type]
