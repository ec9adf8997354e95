"""Finding the object that answers for a key of a sharded bucket, again whenever a reshard moves the key.

A request for a key asks the bucket's own object for its layout, then the key's place (its old place
first, and the new one when the old says the key is elsewhere, while a reshard runs). A listing asks
every place of both layouts (`each_place`), old places first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .key_layout import KeyElsewhereError, KeyMovingError, key_places, layout_places
from .sharding import OWN_OBJECT

if TYPE_CHECKING:
    from ..primitives.blob_store import BlobStore
    from ..runtime.stub import Stub

RETRY_FOR = 30.0
"""Seconds a request waits for its key to finish moving before answering the layer's "slow down"."""
_PAUSE = 0.005


@dataclass
class BucketPlaces:
    """How a layer reaches the objects of one bucket.

    `stub(place)` is the object at a place (`OWN_OBJECT`: the bucket's own); `is_missing(error)` says
    whether an error is the layer's "no such bucket" (a place of a new layout not made yet, or one a
    finished reshard dropped); `slow_down()` is the error a client gets when a key keeps moving.
    """

    stub: Callable[[int], Stub]
    is_missing: Callable[[BaseException], bool]
    slow_down: Callable[[], Exception]
    blobs: BlobStore

    async def each(self, info: dict[str, Any], method: str, **query: Any) -> list[Any]:
        """`method(**query)` of every place of the bucket `info` describes, in `layout_places` order.

        While a reshard starts, a place of the new layout may not exist yet: it holds nothing, so it is left out.
        """
        calls = [getattr(self.stub(place), method)(**query) for place in layout_places(info)]
        if not info.get("reshard"):
            return list(await asyncio.gather(*calls))
        found = await asyncio.gather(*calls, return_exceptions=True)
        for answer in found:
            if isinstance(answer, BaseException) and not self.is_missing(answer):
                raise answer
        return [answer for answer in found if not isinstance(answer, BaseException)]

    async def key(self, key: str) -> KeyPlace:
        """The object answering for `key` (the layer's "no such bucket" if the bucket does not exist)."""
        return await KeyPlace(self, key).find()


@dataclass
class KeyPlace:
    """The object answering for one key of a bucket, found again whenever a reshard moves the key.

    `call` runs a method of that object; `info` is its settings (its blob namespace), kept current.
    """

    bucket: BucketPlaces
    key: str
    stub: Stub = field(init=False)
    info: dict[str, Any] = field(init=False)
    place: int = field(init=False, default=OWN_OBJECT)

    async def find(self) -> KeyPlace:
        """Look up the object answering for the key."""
        deadline = asyncio.get_running_loop().time() + RETRY_FOR
        while True:
            root = self.bucket.stub(OWN_OBJECT)
            root_info: dict[str, Any] = await root.info()
            if int(root_info.get("shards") or 1) <= 1 and not root_info.get("reshard"):
                self.stub, self.info, self.place = root, root_info, OWN_OBJECT
                return self
            for place in key_places(root_info, self.key):
                stub = self.bucket.stub(place)
                try:
                    self.info = await stub.where(self.key)
                except KeyElsewhereError:
                    continue
                except Exception as exc:
                    if place != OWN_OBJECT and self.bucket.is_missing(exc):
                        continue  # a place of the new layout not made yet holds nothing
                    raise
                self.stub, self.place = stub, place
                return self
            await self._pause(deadline)

    async def call(self, method: str, *args: Any, carry: list[str] | tuple[str, ...] = (), **kwargs: Any) -> Any:
        """`method(*args, **kwargs)` of the object answering for the key, found again if the key moved;
        the blobs `carry` names (written to this object's namespace already) follow the key."""
        deadline = asyncio.get_running_loop().time() + RETRY_FOR
        while True:
            try:
                return await getattr(self.stub, method)(*args, **kwargs)
            except KeyMovingError:
                await self._pause(deadline)
            except Exception as exc:
                # A shard a finished reshard dropped has no bucket any more: the key is elsewhere.
                gone = self.place != OWN_OBJECT and self.bucket.is_missing(exc)
                if not isinstance(exc, KeyElsewhereError) and not gone:
                    raise
                namespace = self.info["namespace"]
                await self.find()
                for sha in carry:
                    await asyncio.to_thread(
                        self.bucket.blobs.copy, sha, source=namespace, destination=self.info["namespace"]
                    )

    async def _pause(self, deadline: float) -> None:
        if asyncio.get_running_loop().time() > deadline:
            raise self.bucket.slow_down()
        await asyncio.sleep(_PAUSE)
