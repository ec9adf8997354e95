"""Cap'n Web RPC for dotdo: serve Python objects to the official JavaScript client, call any
Cap'n Web endpoint from Python, with promise pipelining, `.map()` and callbacks.

    class Api(RpcTarget):
        def hello(self, name: str) -> str:
            return f"Hello, {name}!"

    app = rpc_app(Api())                      # ASGI: HTTP batch (POST) and WebSocket
    routes = [rpc_route("/rpc", Api())]       # in a Starlette app: /rpc and /rpc/, both transports

    async with connect("http://127.0.0.1:8000/rpc") as api:
        print(await api.hello("World"))

    with connect_sync("http://127.0.0.1:8000/rpc") as api:     # from synchronous code
        print(api.hello("World").result())
"""

from .blocking import BlockingStub, connect_sync
from .client import connect
from .errors import (
    BatchClosedError,
    LimitExceededError,
    ProtocolError,
    RpcError,
    RpcRangeError,
    RpcReferenceError,
    RpcTypeError,
    SessionAbortedError,
    StubDisposedError,
)
from .route import RpcRoute, rpc_route
from .server import RpcApp, rpc_app
from .streams import Blob, ReadableStream, RemoteWritableStream, StreamError, WritableStream
from .stub import RpcPromise, RpcStub, aclose, dispose
from .target import RpcTarget
from .values import UNDEFINED, BigInt, TypedArray
from .wire import Limits

__all__ = [
    "UNDEFINED",
    "BatchClosedError",
    "BigInt",
    "Blob",
    "BlockingStub",
    "LimitExceededError",
    "Limits",
    "ProtocolError",
    "ReadableStream",
    "RemoteWritableStream",
    "RpcApp",
    "RpcError",
    "RpcPromise",
    "RpcRangeError",
    "RpcReferenceError",
    "RpcRoute",
    "RpcStub",
    "RpcTarget",
    "RpcTypeError",
    "SessionAbortedError",
    "StreamError",
    "StubDisposedError",
    "TypedArray",
    "WritableStream",
    "aclose",
    "connect",
    "connect_sync",
    "dispose",
    "rpc_app",
    "rpc_route",
]
