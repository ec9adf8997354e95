"""Google Cloud Storage's JSON API, for the official `google-cloud-storage` client.

dotdo compat serve gcs --port 9000
client = dotdo.compat.gcs.client()     # google.cloud.storage.Client pointed at it, with a bearer key
dotdo.compat.gcs.reshard("photos", 8)  # spread a bucket's objects over 8 shard objects, online
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..layer import Service
from .account import GcsAccount
from .admin import reshard, reshard_status
from .app import build
from .bucket import GcsBucket

if TYPE_CHECKING:
    from starlette.types import Scope

OPERATIONS = frozenset(
    {
        "buckets.insert",
        "buckets.get",
        "buckets.list",
        "buckets.patch",
        "buckets.update",
        "buckets.delete",
        "objects.insert(media)",
        "objects.insert(multipart)",
        "objects.insert(resumable)",
        "objects.get",
        "objects.get(media)",
        "objects.list",
        "objects.patch",
        "objects.update",
        "objects.delete",
        "objects.copy",
        "objects.rewrite",
        "objects.compose",
    }
)


def claims(scope: Scope) -> bool:
    """Cloud Storage requests: `/storage/v1/`, `/upload/storage/v1/` and `/download/storage/v1/` paths."""
    path: str = scope["path"]
    return path.startswith(("/storage/v1/", "/upload/storage/v1/", "/download/storage/v1/"))


def client(
    endpoint_url: str = "http://127.0.0.1:9000",
    *,
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
    project: str = "dotdo",
) -> Any:
    """A `google.cloud.storage.Client` pointed at dotdo (the data folder's default key unless a key is given)."""
    from google.cloud import storage
    from google.oauth2.credentials import Credentials as BearerToken

    from ..credentials import client_key

    access_key_id, secret = client_key(data_dir, access_key_id, secret)
    return storage.Client(
        project=project,
        credentials=BearerToken(token=f"{access_key_id}:{secret}"),
        client_options={"api_endpoint": endpoint_url},
    )


service = Service(
    name="gcs",
    title="Google Cloud Storage (JSON API)",
    operations=OPERATIONS,
    build=build,
    objects=(GcsBucket, GcsAccount),
    claims=claims,
    client=client,
)
"""The Cloud Storage layer as the registry lists it."""

__all__ = ["OPERATIONS", "GcsAccount", "GcsBucket", "client", "reshard", "reshard_status", "service"]
