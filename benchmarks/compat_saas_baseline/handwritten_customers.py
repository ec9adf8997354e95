"""The baseline of `benchmarks/compat_saas.py`: Stripe's customer create, retrieve and list, written by hand.

A Starlette app that does the same work as the engine's path with none of its generality: read the
form body, check the parameters it knows, store the customer as JSON in SQLite (WAL, one row per
customer, committed before answering), read it back by id, list the newest ten. Run with
`uvicorn benchmarks.compat_saas_baseline.handwritten_customers:app`.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import string
import time
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

FIELDS = {"email", "name", "description", "phone"}
ALPHABET = string.ascii_letters + string.digits
database = sqlite3.connect(
    os.environ.get("BASELINE_DB", "baseline.sqlite"), isolation_level=None, check_same_thread=False
)
database.execute("PRAGMA journal_mode=WAL")
database.execute("CREATE TABLE IF NOT EXISTS customers (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, body TEXT)")


def error(status: int, message: str, param: str | None = None) -> JSONResponse:
    return JSONResponse({"error": {"type": "invalid_request_error", "message": message, "param": param}}, status)


async def create(request: Request) -> JSONResponse:
    form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    for key in form:
        if key not in FIELDS and not key.startswith("metadata["):
            return error(400, f"Received unknown parameter: {key}", key)
    customer = {"id": "cus_" + "".join(secrets.choice(ALPHABET) for _ in range(24)), "object": "customer"}
    customer.update(created=int(time.time()), livemode=False, metadata={})
    for key, value in form.items():
        if key.startswith("metadata["):
            customer["metadata"][key[9:-1]] = value
        else:
            customer[key] = value
    database.execute("INSERT INTO customers (id, body) VALUES (?, ?)", (customer["id"], json.dumps(customer)))
    return JSONResponse(customer)


async def retrieve(request: Request) -> JSONResponse:
    row = database.execute("SELECT body FROM customers WHERE id = ?", (request.path_params["id"],)).fetchone()
    if row is None:
        return error(404, f"No such customer: '{request.path_params['id']}'", "id")
    return JSONResponse(json.loads(row[0]))


async def listing(request: Request) -> JSONResponse:
    limit = int(request.query_params.get("limit", "10"))
    rows = database.execute("SELECT body FROM customers ORDER BY seq DESC LIMIT ?", (limit + 1,)).fetchall()
    data = [json.loads(row[0]) for row in rows[:limit]]
    return JSONResponse({"object": "list", "data": data, "has_more": len(rows) > limit, "url": "/v1/customers"})


app = Starlette(
    routes=[
        Route("/v1/customers", create, methods=["POST"]),
        Route("/v1/customers", listing, methods=["GET"]),
        Route("/v1/customers/{id}", retrieve, methods=["GET"]),
    ]
)
