"""ASGI app serving the interop `Api` with dotdo.rpc (for uvicorn in the interop tests)."""

from interop_api import Api

from dotdo.rpc import rpc_app

app = rpc_app(Api)
