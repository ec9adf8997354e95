"""`Entity`: a Durable Object holding one validated record, with a name index for listing.

```python
class Customer(Entity):
    email: str
    plan: str = "free"
```

Each customer is its own object (named by the entity id); its fields are the class annotations,
validated by pydantic with unknown fields rejected. The record is a thing in the object's own
`things` table (so it has versions and history). One fixed object of the class, `__index__`,
keeps a copy of every entity's fields for listing and filtering. Changes emit `Customer.created`,
`Customer.updated` and `Customer.deleted` through `self.ctx.send`.
"""

from __future__ import annotations

import inspect
import logging
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ValidationError

from ..context import DO
from ..graph.errors import DuplicateThingError, ThingNotFoundError
from ..graph.names import check_thing_id
from ..graph.things import Page, Things
from ..runtime.extensions import Extensions
from .entity_fields import build_model, own_field_names
from .entity_mount import EntityRestMount

if TYPE_CHECKING:
    from ..runtime.objects import Objects

log = logging.getLogger("dotdo.entities")

INDEX_OBJECT = "__index__"
RECORD_ID = "entity"


class EntityExistsError(DuplicateThingError):
    """An entity with that id already exists (HTTP 409)."""


class EntityNotFoundError(ThingNotFoundError):
    """No entity with that id (HTTP 404)."""


class Entity(DO):
    """Base class of entities: declare fields as class annotations (pydantic rules, defaults allowed).

    `collection` names the REST collection (default: lowercased class name plus "s").
    """

    collection: ClassVar[str | None] = None
    extensions = Extensions(mounts={"entity_rest": EntityRestMount()})
    _entity_fields: ClassVar[list[tuple[type, str]]] = []
    _entity_defaults: ClassVar[dict[str, Any]] = {}
    _entity_model: ClassVar[type[BaseModel] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = own_field_names(cls)
        defaults = dict(cls._entity_defaults)
        for name in names:
            if name in cls.__dict__:
                # A default must not stay a class attribute: it would shadow the object's own
                # attributes of the same name (`name`, `env`, ...).
                defaults[name] = cls.__dict__[name]
                delattr(cls, name)
        inherited = [(owner, name) for owner, name in cls._entity_fields if name not in names]
        cls._entity_fields = inherited + [(cls, name) for name in names]
        cls._entity_defaults = defaults
        cls._entity_model = None
        if cls.collection is not None and not _is_segment(cls.collection):
            raise ValueError(f"{cls.__name__}.collection {cls.collection!r} must be one URL path segment like 'people'")

    # -- the class ----------------------------------------------------------------------------

    @classmethod
    def model(cls) -> type[BaseModel]:
        """The pydantic model of this entity's fields (built on first use)."""
        if cls._entity_model is None:
            cls._entity_model = build_model(cls, cls._entity_fields, cls._entity_defaults)
        return cls._entity_model

    @classmethod
    def collection_name(cls) -> str:
        """The REST collection: `collection`, else the lowercased class name plus "s"."""
        return cls.collection or cls.__name__.lower() + "s"

    @classmethod
    def check_entity_id(cls, entity_id: Any) -> str:
        """A valid entity id (a valid thing id not starting with '__'), or `ValueError`/`TypeError`."""
        check_thing_id(entity_id, f"{cls.__name__} id")
        if entity_id.startswith("__"):
            raise ValueError(f"{cls.__name__} ids starting with '__' are reserved; choose another id")
        return entity_id

    # -- this entity ----------------------------------------------------------------------------

    @property
    def _things(self) -> Things:
        return Things(self.storage, runtime=self.runtime)

    def _entity_id(self) -> str:
        if self.name is None:
            raise ValueError(f"{type(self).__name__} entities are addressed by name (their id), not unique ids")
        return type(self).check_entity_id(self.name)

    def _record(self) -> dict[str, Any] | None:
        if not self.storage.table_exists("things"):
            return None  # a read of an unknown entity writes nothing
        thing = self._things.get(RECORD_ID)
        return None if thing is None else thing.data

    @property
    def state(self) -> BaseModel | None:
        """This entity's fields as a model instance, or None if it does not exist."""
        record = self._record()
        return None if record is None else type(self).model().model_validate(record)

    def get(self) -> dict[str, Any] | None:
        """This entity as JSON (`{"id": ..., **fields}`), or None if it does not exist.

        Read through the model, so fields added to the class since the record was written show
        their defaults (a record the model no longer accepts is returned as stored).
        """
        record = self._record()
        if record is None:
            return None
        try:
            record = type(self).model().model_validate(record).model_dump(mode="json")
        except ValidationError:
            log.warning("%s %r no longer validates against its model", type(self).__name__, self.name)
        return {"id": self._entity_id(), **record}

    def version(self) -> int | None:
        """The version of this entity's record (1 when created, +1 per change), or None."""
        thing = self._things.get(RECORD_ID) if self.storage.table_exists("things") else None
        return None if thing is None else thing.version

    def history(self) -> list[dict[str, Any]]:
        """Every version of this entity: `{"version", "updated_at", "deleted", "data"}`, oldest first."""
        if not self.storage.table_exists("things"):
            return []
        return [
            {"version": v.version, "updated_at": v.updated_at.isoformat(), "deleted": v.deleted, "data": v.data}
            for v in self._things.history(RECORD_ID)
        ]

    async def create(self, **fields: Any) -> dict[str, Any]:
        """Create this entity from `fields` (validated); `EntityExistsError` if it exists."""
        entity_id = self._entity_id()
        data = type(self).model().model_validate(fields).model_dump(mode="json")
        if self._record() is not None:
            raise EntityExistsError(f"{type(self).__name__} {entity_id!r} already exists; update it with PUT or PATCH")
        try:
            await self._index(lambda index: NameIndex(index).add(entity_id, data))
        except EntityExistsError:
            if self._record() is not None:
                raise
            # An index entry without its entity: left by a create or delete cut short by a crash.
            await self._index(lambda index: NameIndex(index).put(entity_id, data))
        try:
            self._things.create(type=type(self).__name__, name=entity_id, id=RECORD_ID, data=data)
        except BaseException:
            await self._index(lambda index: NameIndex(index).remove(entity_id))
            raise
        result = {"id": entity_id, **data}
        self._emit("created", result)
        return result

    async def replace(self, **fields: Any) -> dict[str, Any]:
        """Replace every field (validated as a whole record); `EntityNotFoundError` if missing."""
        return await self._change(fields, merge=False)

    async def update(self, **fields: Any) -> dict[str, Any]:
        """Change some fields (the merged record is validated); `EntityNotFoundError` if missing."""
        return await self._change(fields, merge=True)

    async def delete(self) -> bool:
        """Delete this entity (its history is kept); False if it did not exist."""
        entity_id = self._entity_id()
        if self._record() is None:
            return False
        self._things.delete(RECORD_ID)
        await self._index(lambda index: NameIndex(index).remove(entity_id))
        self._emit("deleted", {"id": entity_id})
        return True

    async def _change(self, fields: dict[str, Any], *, merge: bool) -> dict[str, Any]:
        entity_id = self._entity_id()
        current = self._record()
        if current is None:
            raise EntityNotFoundError(f"No {type(self).__name__} {entity_id!r}; create it first with POST")
        merged = {**current, **fields} if merge else fields
        data = type(self).model().model_validate(merged).model_dump(mode="json")
        self._things.replace(RECORD_ID, data=data)
        await self._index(lambda index: NameIndex(index).put(entity_id, data))
        result = {"id": entity_id, **data}
        self._emit("updated", result)
        return result

    def _emit(self, verb: str, data: dict[str, Any]) -> None:
        try:
            send = self.ctx.send
        except (AttributeError, NotImplementedError):
            log.debug("ctx.send is not available; %s.%s not emitted", type(self).__name__, verb)
            return
        send(f"{type(self).__name__}.{verb}", data)

    # -- the name index (runs in the object named INDEX_OBJECT) ---------------------------------

    async def _index(self, fn: Any) -> Any:
        return await self.runtime.run_in(type(self), INDEX_OBJECT, fn)

    @classmethod
    async def list_page(
        cls,
        runtime: Objects,
        *,
        where: dict[str, Any] | None = None,
        order_by: list[str] | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of entities from the name index: `where`/`order_by` name fields (or `id`)."""
        fields = set(cls.model().model_fields)
        scoped_where = None if where is None else {_index_field(cls, name, fields): c for name, c in where.items()}
        scoped_order = None if order_by is None else [_index_order(cls, term, fields) for term in order_by]
        page = await runtime.run_in(
            cls, INDEX_OBJECT, lambda index: NameIndex(index).page(scoped_where, scoped_order, limit, cursor)
        )
        return [{"id": thing.id, **thing.data} for thing in page.items], page.cursor


class NameIndex:
    """The copy of every entity's fields kept by the class's `__index__` object, for listing.

    Built over the index object (inside one of its events, through `runtime.run_in`). It uses the
    index's `ctx.things`, so an index whose class shards its things (its calls are then awaited)
    is listed and updated the same way.
    """

    def __init__(self, index: Entity) -> None:
        self.type_name = type(index).__name__
        self.things = index.ctx.things

    async def add(self, entity_id: str, data: dict[str, Any]) -> None:
        """Add an entity's entry; `EntityExistsError` if there is one."""
        try:
            await _settled(self.things.create(type=self.type_name, name=entity_id, id=entity_id, data=data))
        except DuplicateThingError:
            raise EntityExistsError(
                f"{self.type_name} {entity_id!r} already exists; update it with PUT or PATCH"
            ) from None

    async def put(self, entity_id: str, data: dict[str, Any]) -> None:
        """Add or replace an entity's entry."""
        if await _settled(self.things.get(entity_id)) is None:
            await self.add(entity_id, data)
        else:
            await _settled(self.things.replace(entity_id, data=data))

    async def remove(self, entity_id: str) -> None:
        """Remove an entity's entry (with its history)."""
        await _settled(self.things.delete(entity_id, purge=True))

    async def page(
        self, where: dict[str, Any] | None, order_by: list[str] | None, limit: int, cursor: str | None
    ) -> Page:
        """One page of entries."""
        return await _settled(
            self.things.find_page(type=self.type_name, where=where, order_by=order_by, limit=limit, cursor=cursor)
        )


async def _settled(value: Any) -> Any:
    """The result of a things call: awaited when the store is one whose calls are coroutines."""
    return await value if inspect.isawaitable(value) else value


def _index_field(cls: type[Entity], name: Any, fields: set[str]) -> str:
    if name == "id":
        return "id"
    head = name.split(".", 1)[0] if isinstance(name, str) else name
    if head not in fields:
        known = ", ".join(sorted(fields | {"id"}))
        raise ValueError(f"{cls.__name__} has no field {name!r}; fields: {known}")
    return f"data.{name}"


def _index_order(cls: type[Entity], term: str, fields: set[str]) -> str:
    descending = isinstance(term, str) and term.startswith("-")
    name = term[1:] if descending else term
    return ("-" if descending else "") + _index_field(cls, name, fields)


def _is_segment(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and all(c.isalnum() or c in "-_." for c in value)
