"""ASGI app serving the harness `Api` with dotdo.rpc (for uvicorn in the interop tests)."""

from harness_api import Api

from dotdo.rpc import rpc_app

app = rpc_app(Api)
