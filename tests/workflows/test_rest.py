"""The REST surface of a workflow, over a real uvicorn server on 127.0.0.1 driven by httpx."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from dotdo.workflows import Workflow
from dotdo.workflows.rest import workflow_app
from tests.conftest import serving


class Signup(Workflow):
    async def run(self, event, step):
        answer = await step.wait_for_event("approval", type="approved", timeout="1 day")
        return {"email": event.params["email"], "by": answer.payload["by"]}


async def test_create_status_events_lifecycle_and_listing_over_http(runtime):
    app = Starlette(
        routes=[Mount("/workflows/signup", workflow_app(Signup, runtime, auth=lambda req, i: i != "forbidden"))]
    )
    async with serving(app) as host, httpx.AsyncClient(base_url=f"http://{host}/workflows/signup") as http:
        created = await http.post("/", json={"id": "a", "params": {"email": "a@example.com"}})
        assert created.status_code == 201 and created.json() == {"id": "a"}
        assert (await http.post("/", json={"id": "a"})).status_code == 409
        assert (await http.post("/", content=b"{nope")).json()["error"] == "invalid_json"
        assert (await http.get("/forbidden")).status_code == 403
        assert (await http.get("/missing")).status_code == 404
        await (await Signup.get(runtime, "a")).settle()
        assert (await http.get("/a")).json()["status"] == "waiting"
        assert (await http.post("/a/events/approved", json={"by": "bob"})).status_code == 202
        status = await (await Signup.get(runtime, "a")).settle()
        assert status["output"] == {"email": "a@example.com", "by": "bob"}
        assert (await http.post("/a/pause")).status_code == 409
        await http.post("/", json={"id": "b", "params": {"email": "b@example.com"}})
        await (await Signup.get(runtime, "b")).settle()
        assert (await http.post("/b/terminate")).json()["status"] == "terminated"
        await (await Signup.get(runtime, "b")).settle()
        listed = (await http.get("/", params={"status": "terminated"})).json()["instances"]
        assert [i["id"] for i in listed] == ["b"]
        assert (await http.get("/", params={"status": "asleep"})).status_code == 400
        document = (await http.get("/openapi.json")).json()
        assert document["openapi"] == "3.1.0"
        assert set(document["paths"]) >= {"/", "/{id}", "/{id}/events/{type}", "/{id}/pause"}
