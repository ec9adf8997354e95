import httpx
import pytest

from dotdo import API, DO
from dotdo.http.bearer_token import BearerTokenMiddleware


class Hello(DO):
    async def fetch(self, request):
        return "hi"


async def test_requests_need_the_bearer_token(tmp_path):
    app = BearerTokenMiddleware(API(Hello, ns="main", data_dir=tmp_path), "s3cret")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        missing = await http.get("/")
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        assert (await http.get("/", headers={"authorization": "Bearer wrong"})).status_code == 401
        assert (await http.get("/", headers={"authorization": "Bearer s3cret"})).text == "hi"


def test_empty_tokens_are_refused():
    with pytest.raises(ValueError):
        BearerTokenMiddleware(lambda *a: None, "")
