"""JSON log lines carry the request's object and id while it is served."""

import json
import logging
import logging.config

import httpx
from shop_server import DevServer, shop

from dotdo.inspector import json_log_config
from dotdo.inspector.logs import JsonLogFormatter


async def test_the_request_context_is_on_lines_logged_by_the_object(tmp_path):
    api, app = shop(tmp_path)
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(json.loads(JsonLogFormatter().format(record)))
    logging.getLogger("dotdo.http").addHandler(handler)
    try:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answer = await client.post("/acme/order", headers={"x-request-id": "req-7"})  # no ?item: fetch raises
        assert answer.status_code == 500
    finally:
        logging.getLogger("dotdo.http").removeHandler(handler)
        await api.runtime.close()
    failure = next(line for line in lines if line["level"] == "error")
    assert (failure["request_id"], failure["class"], failure["object"]) == ("req-7", "Shop", "acme")
    assert "KeyError" in failure["exception"]


def test_the_json_log_config_writes_json_lines(capsys):
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    logging.config.dictConfig(json_log_config("WARNING"))
    try:
        logging.getLogger("dotdo.test").warning("disk %s full", "nearly")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert (line["level"], line["logger"], line["message"]) == ("warning", "dotdo.test", "disk nearly full")


def test_dotdo_dev_log_format_json_names_each_request(tmp_path):
    server = DevServer(tmp_path / "data", "--log-format", "json", "--access-log")
    try:
        httpx.post(f"{server.url}/acme/order", params={"item": "a"}, headers={"x-request-id": "req-9"})
    finally:
        server.stop(keep_output=True)
    lines = [json.loads(line) for line in server.output.splitlines() if line.startswith("{")]
    access = next(line for line in lines if line["logger"] == "uvicorn.access" and "/acme/order" in line["message"])
    assert (access["request_id"], access["class"], access["object"]) == ("req-9", "Shop", "acme")
