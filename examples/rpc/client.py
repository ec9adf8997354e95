"""The Python client calling the same server: `dotdo.connect(url)` pipelines like the JS one.

python client.py [http://127.0.0.1:8787/rpc]
"""

from __future__ import annotations

import asyncio
import sys

import dotdo.rpc as rpc


async def main(url: str) -> None:
    async with rpc.connect(url) as api:
        todo = api.todo_list("groceries")
        # One HTTP request: the list is created, filled and read on the server. Promises and stubs
        # of an HTTP batch live for that batch only (use ws:// to keep `todo` across awaits).
        greeting, _, _, texts = await asyncio.gather(
            api.hello("Python"), todo.add("apples"), todo.add("pears"), todo.items.map(lambda item: item.text)
        )
        print(greeting, texts)

    async with rpc.connect(url.replace("http", "ws", 1)) as api:
        print(await api.each([1, 2, 3], lambda n: n * 10))
        chores = await api.todo_list("chores")
        await chores.add("dishes")
        await chores.complete(0)
        print([line async for line in await chores.export()])  # a stream, read as it arrives


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8787/rpc"))
