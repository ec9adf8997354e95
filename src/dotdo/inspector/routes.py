"""The inspector's routes: HTML pages (readable without JavaScript), the JSON API, metrics, live streams."""

from __future__ import annotations

import asyncio
import io
import json
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles

from ..http.errors import HTTPError
from ..runtime.errors import UnknownClassError
from ..runtime.ids import ObjectId
from .access import check_write
from .archive import write_archive
from .catalog import Catalog, ObjectSummary
from .metrics import CONTENT_TYPE
from .object_contents import Contents, graph_of, read_files_and_history, stored_kinds
from .object_reader import (
    MissingObjectError,
    ObjectBusyError,
    ObjectReader,
    ReadOnlyQueryError,
    display_value,
    read_in_object,
)
from .timeline import Timeline, TimelineEntry

T = TypeVar("T")
PAGE_SIZE = 50
HEARTBEAT_SECONDS = 15.0
NAMES_ELSEWHERE = "dotdo.names_elsewhere"
"""The scope key of a cluster host's `async () -> {(class, id): name}` of the objects live on other hosts."""

templates = Environment(
    loader=PackageLoader("dotdo.inspector", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)

templates.filters["timestamp"] = lambda at: datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S")

Endpoint = Callable[[Request], Awaitable[Response]]


def _api(request: Request) -> Any:
    return request.scope["dotdo.api"]


def _inspector(request: Request) -> Any:
    return request.scope["dotdo.inspector"]


def _catalog(request: Request, elsewhere: dict[tuple[str, str], str] | None = None) -> Catalog:
    """The catalog of the app's data folder; `elsewhere` names objects live in other processes."""
    runtime = _api(request).runtime
    named = elsewhere or {}

    def live_name(namespace: str, hex_id: str) -> str | bool | None:
        live = runtime.live_id(namespace, hex_id)
        if live is None:
            return named.get((namespace, hex_id), False)
        return live.name

    return Catalog(runtime.data_folder, live_name)


async def _listing_catalog(request: Request) -> Catalog:
    """The catalog for a list of objects: under `dotdo serve`, other hosts' live objects by name too.

    A cluster host puts `dotdo.names_elsewhere` in the scope: an async callable giving the names of
    the objects live on the other hosts (whose databases they hold, so this host cannot read them).
    """
    names_elsewhere = request.scope.get(NAMES_ELSEWHERE)
    return _catalog(request, await names_elsewhere() if names_elsewhere is not None else None)


async def _read(request: Request, read: Callable[[ObjectReader], T]) -> T:
    """`read(reader)` on the object the path names: inside one of its events if this app hosts its class."""
    runtime = _api(request).runtime
    namespace, hex_id = request.path_params["cls"], request.path_params["id"]
    path = _catalog(request).path_of(namespace, hex_id)
    cls = runtime.classes.get(namespace)
    if cls is None:
        with ObjectReader(path) as reader:
            return read(reader)
    live = runtime.live_id(namespace, hex_id)
    name = live.name if live is not None else Catalog.recorded_name(path)
    return await runtime.run_in(cls, ObjectId(namespace, hex_id, name), lambda obj: read_in_object(obj, path, read))


def _int(request: Request, name: str, default: int) -> int:
    try:
        return int(request.query_params.get(name, default))
    except ValueError:
        raise HTTPError(400, "bad_request", f"{name} must be a whole number") from None


def _summary_dict(summary: ObjectSummary) -> dict[str, Any]:
    return {
        "class": summary.namespace,
        "id": summary.id,
        "name": summary.name,
        "size": summary.size,
        "last_activity": summary.last_activity.isoformat(timespec="seconds"),
        "live": summary.live,
    }


def _render(name: str, request: Request, status_code: int = 200, **values: Any) -> HTMLResponse:
    inspector = _inspector(request)
    body = templates.get_template(name).render(writable=inspector.write, **values)
    return HTMLResponse(body, status_code=status_code)


def handled(endpoint: Endpoint) -> Endpoint:
    """Turn the inspector's lookup and input errors into 4xx answers (a page for browsers, JSON otherwise)."""

    async def answer(request: Request) -> Response:
        try:
            return await endpoint(request)
        except HTTPError as exc:
            error = exc
        except ObjectBusyError as exc:
            error = HTTPError(409, "busy", str(exc))
        except (MissingObjectError, UnknownClassError, LookupError) as exc:
            error = HTTPError(404, "not_found", str(exc).strip("'\""))
        except (ReadOnlyQueryError, ValueError) as exc:
            error = HTTPError(400, "bad_request", str(exc))
        if "text/html" in request.headers.get("accept", "") and request.method == "GET":
            return _render("error.html", request, error.status_code, error=error)
        return error.response()

    return answer


# -- reading ----------------------------------------------------------------------------------------


def _overview(reader: ObjectReader) -> dict[str, Any]:
    return {
        "tables": reader.tables(),
        "alarms": reader.alarms(),
        "dead_letters": reader.dead_letters(),
        "actions": reader.actions(),
        "schedules": reader.schedules(),
    }


def _summary(request: Request) -> ObjectSummary:
    catalog = _catalog(request)
    namespace = request.path_params["cls"]
    return catalog.summary(namespace, catalog.path_of(namespace, request.path_params["id"]))


def _timeline(request: Request, summary: ObjectSummary) -> list[TimelineEntry]:
    timeline: Timeline | None = _inspector(request).timeline
    if timeline is None:
        return []
    return timeline.entries(summary.namespace, summary.name or summary.id)


@handled
async def index_page(request: Request) -> Response:
    """Classes and their objects, searchable and paged."""
    catalog = await _listing_catalog(request)
    selected = request.query_params.get("class") or None
    search = request.query_params.get("q", "")
    page = max(1, _int(request, "page", 1))
    objects, total = catalog.objects(selected, search=search, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return _render(
        "index.html",
        request,
        classes=catalog.classes(),
        selected=selected,
        search=search,
        objects=objects,
        total=total,
        page=page,
        pages=max(1, math.ceil(total / PAGE_SIZE)),
    )


@handled
async def object_page(request: Request) -> Response:
    """One object: its tables and rows, a read-only SQL console, KV, alarms, dead letters, journal, timeline."""
    order = request.query_params.get("order") or None
    descending = request.query_params.get("desc") == "1"
    page = max(1, _int(request, "page", 1))
    sql = request.query_params.get("sql", "")

    def read(reader: ObjectReader) -> dict[str, Any]:
        data = _overview(reader)
        table = request.query_params.get("table") or (data["tables"][0]["name"] if data["tables"] else None)
        data.update(table=table, rows=None, query=None, query_error=None, kv=reader.kv(limit=100))
        if table is not None:
            offset = (page - 1) * PAGE_SIZE
            data["rows"] = reader.rows(table, offset=offset, limit=PAGE_SIZE, order_by=order, descending=descending)
        if sql:
            try:
                data["query"] = reader.query(sql)
            except ReadOnlyQueryError as exc:
                data["query_error"] = str(exc)
        data["has_files"], data["has_git"] = stored_kinds(reader)
        data["graph"] = graph_of(reader)
        return data

    data = await _read(request, read)
    data["contents"] = await _contents(request, data["has_files"], data["has_git"])
    summary = _summary(request)
    return _render(
        "object.html",
        request,
        status_code=400 if data["query_error"] else 200,
        obj=summary,
        order=order,
        descending=descending,
        page=page,
        sql=sql,
        timeline=_timeline(request, summary),
        done=request.query_params.get("done"),
        **data,
    )


async def _contents(request: Request, has_files: bool, has_git: bool) -> Contents:
    """The object's files and git history, read in one of its events (nothing when it has neither)."""
    runtime = _api(request).runtime
    namespace, hex_id = request.path_params["cls"], request.path_params["id"]
    cls = runtime.classes.get(namespace)
    preview = request.query_params.get("file") or None
    if cls is None or not (has_files or has_git):
        if preview is not None:
            raise LookupError(f"No file {preview!r} in this object")
        return Contents()

    async def read(obj: Any) -> Contents:
        return await read_files_and_history(obj, has_files, has_git, preview)

    return await runtime.run_in(cls, ObjectId(namespace, hex_id), read)


@handled
async def list_objects(request: Request) -> Response:
    """JSON: one page of objects (`class`, `q`, `offset`, `limit`) and the total."""
    catalog = await _listing_catalog(request)
    objects, total = catalog.objects(
        request.query_params.get("class") or None,
        search=request.query_params.get("q", ""),
        offset=max(0, _int(request, "offset", 0)),
        limit=max(1, min(_int(request, "limit", PAGE_SIZE), 1000)),
    )
    return JSONResponse({"objects": [_summary_dict(s) for s in objects], "total": total})


@handled
async def object_detail(request: Request) -> Response:
    """JSON: an object's summary, tables, alarms, dead letters, journal and schedules."""
    data = await _read(request, _overview)
    return JSONResponse({**_summary_dict(_summary(request)), **data})


@handled
async def table_rows(request: Request) -> Response:
    """JSON: one page of a table's rows (`offset`, `limit`, `order`, `desc`)."""
    table, offset, limit = request.path_params["table"], _int(request, "offset", 0), _int(request, "limit", PAGE_SIZE)
    order, descending = request.query_params.get("order") or None, request.query_params.get("desc") == "1"
    result = await _read(
        request, lambda reader: reader.rows(table, offset=offset, limit=limit, order_by=order, descending=descending)
    )
    return JSONResponse({"columns": result.columns, "rows": result.rows, "truncated": result.truncated})


@handled
async def kv_entries(request: Request) -> Response:
    """JSON: key-value entries (`prefix`, `offset`, `limit`)."""
    prefix, offset, limit = (
        request.query_params.get("prefix", ""),
        _int(request, "offset", 0),
        _int(request, "limit", 100),
    )
    entries = await _read(request, lambda reader: reader.kv(prefix=prefix, offset=offset, limit=limit))
    return JSONResponse({"entries": entries})


@handled
async def kv_value(request: Request) -> Response:
    """JSON: the value of one key (404 if absent)."""
    key = request.path_params["key"]
    try:
        value = await _read(request, lambda reader: reader.kv_get(key))
    except KeyError:
        raise HTTPError(404, "not_found", f"No key {key!r} in this object") from None
    return JSONResponse({"key": key, "value": value})


@handled
async def timeline_entries(request: Request) -> Response:
    """JSON: the object's recent timeline, the newest first."""
    return JSONResponse({"entries": [e.to_dict() for e in _timeline(request, _summary(request))]})


@handled
async def export_object(request: Request) -> Response:
    """The object's archive (.tar.gz: SQLite snapshot, blobs, manifest)."""
    namespace, hex_id = request.path_params["cls"], request.path_params["id"]
    buffer = io.BytesIO()

    def export(reader: ObjectReader) -> None:
        write_archive(reader.path, namespace, hex_id, reader.name(), buffer)

    await _read(request, export)
    filename = f"{namespace}-{hex_id[:12]}.tar.gz"
    return Response(
        buffer.getvalue(),
        media_type="application/gzip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@handled
async def metrics(request: Request) -> Response:
    """Prometheus text format."""
    return Response(_inspector(request).metrics.render(), media_type=CONTENT_TYPE)


# -- writing ----------------------------------------------------------------------------------------


async def _in_object(request: Request, fn: Callable[[Any], Any]) -> Any:
    """Run `fn(obj)` as one event of the object the path names (activating it)."""
    check_write(request, _inspector(request).write)
    runtime = _api(request).runtime
    namespace, hex_id = request.path_params["cls"], request.path_params["id"]
    cls = runtime.class_named(namespace)
    _catalog(request).path_of(namespace, hex_id)
    return await runtime.run_in(cls, ObjectId(namespace, hex_id), fn)


def _done(request: Request, result: dict[str, Any]) -> Response:
    if "application/json" in request.headers.get("content-type", "") or "json" in request.headers.get("accept", ""):
        return JSONResponse(result)
    back = request.url_for("object_page", cls=request.path_params["cls"], id=request.path_params["id"])
    return RedirectResponse(str(back.include_query_params(done=result.get("message", "done"))), status_code=303)


@handled
async def run_sql(request: Request) -> Response:
    """JSON `{"sql", "write"}`: a read-only query, or (with write access and `write`) any statement in the object."""
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise HTTPError(400, "bad_request", 'Send JSON: {"sql": "SELECT …", "write": false}') from None
    sql = body.get("sql") if isinstance(body, dict) else None
    if not isinstance(sql, str):
        raise HTTPError(400, "bad_request", 'Send JSON: {"sql": "SELECT …", "write": false}')
    if body.get("write"):

        def execute(obj: Any) -> dict[str, Any]:
            cursor = obj.storage.sql.exec(sql)
            found = cursor.to_list()
            return {
                "columns": list(found[0]) if found else [],
                "rows": [[display_value(v) for v in row.values()] for row in found],
                "truncated": False,
                "rows_written": cursor.rows_written,
            }

        try:
            return JSONResponse(await _in_object(request, execute))
        except HTTPError:
            raise
        except Exception as exc:  # the object's SQL policy or SQLite refused the statement
            raise HTTPError(400, "sql_error", str(exc)) from None
    result = await _read(request, lambda reader: reader.query(sql))
    return JSONResponse({"columns": result.columns, "rows": result.rows, "truncated": result.truncated})


@handled
async def replay_dead_letter(request: Request) -> Response:
    """Replay one dead letter in its object (write access)."""
    letter = request.path_params["letter"]

    async def replay(obj: Any) -> Any:
        return await obj.ctx.replay(letter)

    try:
        result = await _in_object(request, replay)
    except HTTPError:
        raise
    except (LookupError, ValueError) as exc:
        raise HTTPError(400, "cannot_replay", str(exc)) from None
    except Exception as exc:  # the replayed work failed again; the dead letter keeps the new error
        raise HTTPError(409, "replay_failed", f"The replay failed again: {exc}") from None
    return _done(request, {"message": f"replayed dead letter {letter}", "result": display_value(_jsonable(result))})


@handled
async def alarm_action(request: Request) -> Response:
    """Cancel the object's alarm, or fire it now (write access)."""
    action = request.path_params["action"]
    if action not in ("cancel", "fire"):
        raise HTTPError(404, "not_found", "Alarm actions are cancel and fire")

    def change(obj: Any) -> None:
        if action == "cancel":
            obj.storage.delete_alarm()
        else:
            obj.storage.set_alarm(time.time())

    await _in_object(request, change)
    return _done(request, {"message": "alarm cancelled" if action == "cancel" else "alarm set to fire now"})


@handled
async def cancel_schedule(request: Request) -> Response:
    """Cancel one of the object's schedules (write access)."""
    schedule_id = request.path_params["schedule"]

    def cancel(obj: Any) -> str | None:
        info = obj.ctx.schedules.get(schedule_id)
        if info is None or not obj.ctx.schedules.cancel(schedule_id):
            return None
        return info.handler

    handler = await _in_object(request, cancel)
    if handler is None:
        raise HTTPError(400, "not_active", f"No active schedule {schedule_id!r} in this object")
    return _done(request, {"message": f"schedule {handler} cancelled"})


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


# -- live -------------------------------------------------------------------------------------------


def _stream(request: Request, keep: Callable[[TimelineEntry], bool]) -> Response:
    timeline: Timeline | None = _inspector(request).timeline
    if timeline is None:
        raise HTTPError(404, "not_found", "The timeline is off (Inspector(timeline=False))")

    async def events() -> AsyncIterator[str]:
        queue = timeline.follow()
        try:
            yield ": following\n\n"
            while True:
                try:
                    entry = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield ": still here\n\n"
                    continue
                if keep(entry):
                    yield f"data: {json.dumps(entry.to_dict())}\n\n"
        finally:
            timeline.unfollow(queue)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


@handled
async def object_stream(request: Request) -> Response:
    """Server-sent events: the object's new timeline entries as they happen."""
    namespace = request.path_params["cls"]
    summary = _summary(request)
    label = summary.name or summary.id
    return _stream(request, lambda e: e.namespace == namespace and e.object == label)


@handled
async def all_stream(request: Request) -> Response:
    """Server-sent events: every new timeline entry (what `dotdo tail` prints)."""
    return _stream(request, lambda e: True)


def inspector_router() -> Router:
    """Every inspector route, under `/_dotdo`."""
    obj = "/_dotdo/objects/{cls}/{id}"
    api = "/_dotdo/api/objects/{cls}/{id}"
    return Router(
        [
            Route("/_dotdo/", index_page, name="index"),
            Route("/_dotdo", lambda request: RedirectResponse("/_dotdo/")),
            Route(obj, object_page, name="object_page"),
            Route(obj + "/timeline/stream", object_stream),
            Route(obj + "/dead-letters/{letter:int}/replay", replay_dead_letter, methods=["POST"]),
            Route(obj + "/alarm/{action}", alarm_action, methods=["POST"]),
            Route(obj + "/schedules/{schedule}/cancel", cancel_schedule, methods=["POST"]),
            Route("/_dotdo/metrics", metrics),
            Route("/_dotdo/api/objects", list_objects),
            Route(api, object_detail),
            Route(api + "/rows/{table}", table_rows),
            Route(api + "/kv", kv_entries),
            Route(api + "/kv/{key:path}", kv_value),
            Route(api + "/sql", run_sql, methods=["POST"]),
            Route(api + "/timeline", timeline_entries),
            Route(api + "/export", export_object),
            Route(api + "/dead-letters/{letter:int}/replay", replay_dead_letter, methods=["POST"]),
            Route(api + "/alarm/{action}", alarm_action, methods=["POST"]),
            Route(api + "/schedules/{schedule}/cancel", cancel_schedule, methods=["POST"]),
            Route("/_dotdo/api/timeline/stream", all_stream),
            Mount("/_dotdo/static", StaticFiles(packages=[("dotdo.inspector", "static")]), name="static"),
        ]
    )
