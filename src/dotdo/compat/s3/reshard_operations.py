"""dotdo's own bucket subresource `?reshard`: start a reshard (POST) and see how far it got (GET).

    POST /BUCKET?reshard&shards=N     start moving the bucket's keys to N shard objects
    GET  /BUCKET?reshard              {"bucket", "shards", "running", and while running "source", "target", "moved"}

Signed like any S3 request (SigV4 with the tenant's key); the answer is JSON. AWS has no such
operation: `dotdo compat reshard s3 BUCKET --shards N` and `dotdo.compat.s3.reshard()` send it.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from .errors import S3Error
from .request import S3Request


async def start_reshard(request: S3Request) -> Response:
    """Start a reshard of the request's bucket to `?shards=N`; its status."""
    value = request.query.get("shards", "")
    try:
        shards = int(value)
    except ValueError:
        raise S3Error("InvalidArgument", f"shards must be a whole number of shards, not {value!r}") from None
    status = await request.bucket_stub().reshard(shards)
    return JSONResponse(status, headers={"x-amz-request-id": request.request_id})


async def reshard_status(request: S3Request) -> Response:
    """The bucket's shard count and the reshard under way, if any."""
    status = await request.bucket_stub().reshard_status()
    return JSONResponse(status, headers={"x-amz-request-id": request.request_id})
