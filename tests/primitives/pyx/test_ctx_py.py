"""ctx.py and ctx.pip inside an object: Python over the object's own files."""

from __future__ import annotations

import pytest

from dotdo import DO
from dotdo.primitives.pyx import PyError


class Notebook(DO):
    async def total(self) -> dict:
        await self.ctx.fs.write("/data.csv", "item,total\na,3\nb,4\n")
        code = (
            "import csv\nrows = list(csv.DictReader(open('data.csv')))\n"
            "open('summary.txt', 'w').write(str(len(rows)))\n"
            "sum(int(r['total']) for r in rows)"
        )
        result = await self.ctx.py(code)
        return {"value": result.value, "summary": await self.ctx.fs.read_text("/summary.txt")}

    async def fail(self) -> bool:
        try:
            await self.ctx.py("open('x.txt', 'w').write('x'); raise KeyError('k')")
        except PyError as error:
            assert error.type_name == "KeyError"
        return await self.ctx.fs.exists("/x.txt")

    async def verdict(self, code: str) -> str:
        return self.ctx.py.analyze(code).verdict


async def test_ctx_py_runs_against_the_objects_files(runtime) -> None:
    notebook = runtime.get(Notebook, "n")
    assert await notebook.total() == {"value": 7, "summary": "2"}


async def test_a_failed_call_leaves_the_objects_files_as_they_were(runtime) -> None:
    assert await runtime.get(Notebook, "n").fail() is False


@pytest.mark.parametrize(("code", "verdict"), [("1", "safe"), ("import socket", "needs_confirm")])
async def test_ctx_py_analyze(runtime, code: str, verdict: str) -> None:
    assert await runtime.get(Notebook, "n").verdict(code) == verdict
