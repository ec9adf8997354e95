"""`dotdo compat ...`: serve compat layers, and manage the access keys their clients sign with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from .registry import UnknownServiceError, names, service
from .sharding import account_shard_counts

if TYPE_CHECKING:
    from .credentials import Credentials

ALL_SERVICES = "*"
DEFAULT_TENANT = "default"

compat_cli = typer.Typer(help="Wire-compatible servers for popular services' APIs (S3, ...).", no_args_is_help=True)
keys_cli = typer.Typer(help="Access keys of the compat layers (per tenant and service).", no_args_is_help=True)
compat_cli.add_typer(keys_cli, name="keys")
console = Console()

DataDir = Annotated[Path, typer.Option("--data-dir", help="The data folder (objects, keys).")]


def _credentials(data_dir: Path) -> Credentials:
    from .credentials import Credentials

    return Credentials(data_dir / "compat")


@compat_cli.command("list")
def list_layers() -> None:
    """List the compat layers and how many operations each implements."""
    table = Table(title="compat layers")
    for column in ("name", "service", "operations"):
        table.add_column(column)
    for name in names():
        layer = service(name)
        table.add_row(name, layer.title, str(len(layer.operations)))
    console.print(table)


@compat_cli.command("serve")
def serve(
    layers: Annotated[list[str], typer.Argument(help="The layers to serve, e.g. s3.")],
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 9000,
    bucket_shards: Annotated[
        int,
        typer.Option(
            help="S3 and Cloud Storage: how many objects each new bucket's keys are spread over (1: one object)."
        ),
    ] = 1,
    queue_shards: Annotated[
        int, typer.Option(help="SQS: how many objects each new standard queue's messages are spread over.")
    ] = 1,
    index_shards: Annotated[
        int,
        typer.Option(
            help="Search and vector layers: how many objects each new index's documents are spread over "
            "(1: one object)."
        ),
    ] = 1,
    bucket_split_keys: Annotated[
        int,
        typer.Option(
            help="S3 and Cloud Storage: split a bucket (double its shards, online) once one shard holds more "
            "objects than this; 0 never splits."
        ),
    ] = 1_000_000,
    queue_split_messages: Annotated[
        int,
        typer.Option(
            help="SQS: split a standard queue (double its shards, online) once one shard holds more messages "
            "than this; 0 never splits."
        ),
    ] = 1_000_000,
    account_shards: Annotated[
        list[str] | None,
        typer.Option(
            help="Stripe, Twilio, SendGrid, Resend: TENANT=N spreads that tenant's account over N shard objects "
            "(repeat per tenant; an existing account moves online)."
        ),
    ] = None,
    garbage_grace: Annotated[
        float,
        typer.Option(
            help="S3 and Cloud Storage: seconds an unreferenced blob is kept before the bucket's sweep deletes it."
        ),
    ] = 3600.0,
    grpc_port: Annotated[
        int, typer.Option(help="Weaviate: the port of its gRPC service, beside the HTTP port.")
    ] = 50051,
    data_dir: DataDir = Path(".dotdo"),
) -> None:
    """Serve LAYERS on one port (Weaviate's gRPC on a second); prints the default tenant's key."""
    import uvicorn

    from .server import compat_app

    try:
        tenants = {"account_shards": account_shard_counts(account_shards or [])}
        options = {
            **dict.fromkeys(("stripe", "twilio", "sendgrid", "resend"), tenants),
            "s3": {
                "bucket_shards": bucket_shards,
                "bucket_split_keys": bucket_split_keys,
                "garbage_grace": garbage_grace,
            },
            "sqs": {"queue_shards": queue_shards, "queue_split_messages": queue_split_messages},
            "gcs": {
                "bucket_shards": bucket_shards,
                "bucket_split_keys": bucket_split_keys,
                "garbage_grace": garbage_grace,
            },
            **{
                layer: {"index_shards": index_shards}
                for layer in ("meilisearch", "typesense", "algolia", "qdrant", "pinecone", "chroma")
            },
            "weaviate": {"grpc_host": host, "grpc_port": grpc_port},
        }
        app = compat_app(layers, data_dir=data_dir, options=options)
    except (UnknownServiceError, ValueError) as exc:
        console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(code=2) from None
    key = _credentials(data_dir).default_key()
    console.print(
        f"[bold green]dotdo compat[/] serving {', '.join(layers)} on [link]http://{host}:{port}[/]\n"
        f"  default tenant key: [bold]{key.access_key_id}[/] secret [bold]{key.secret}[/] "
        f"(`dotdo compat keys create` makes more)"
        + (f"\n  Weaviate gRPC on [bold]{host}:{grpc_port}[/]" if "weaviate" in layers else "")
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="on")


@compat_cli.command("reshard")
def reshard(
    layer: Annotated[
        str,
        typer.Argument(
            help="The layer: s3 or gcs (a bucket), sqs (a standard queue), stripe, twilio, sendgrid, resend."
        ),
    ],
    name: Annotated[str, typer.Argument(help="The bucket or queue to reshard, or the tenant whose account to.")],
    shards: Annotated[int, typer.Option(help="How many shard objects it should have (1: one object again).")],
    endpoint: Annotated[str, typer.Option(help="The running compat server.")] = "http://127.0.0.1:9000",
    access_key_id: Annotated[
        str | None, typer.Option(help="The key of the tenant owning it (default: the data folder's default key).")
    ] = None,
    secret: Annotated[str | None, typer.Option(help="That key's secret.")] = None,
    wait: Annotated[bool, typer.Option(help="Wait (with progress) until every key or message has moved.")] = True,
    data_dir: DataDir = Path(".dotdo"),
) -> None:
    """Spread a bucket's keys (a standard queue's messages, a tenant's SaaS account) over SHARDS objects, while
    the server serves it."""
    import httpx
    from rich.progress import Progress

    from .sharding import ReshardError

    if layer == "s3":
        from .s3.admin import reshard as reshard_call
    elif layer == "gcs":
        from .gcs.admin import reshard as reshard_call
    elif layer == "sqs":
        from .sqs.admin import reshard as reshard_call
    elif layer in ACCOUNT_AUTH:
        reshard_call = _account_resharder(layer)
    else:
        console.print(
            f"[bold red]error:[/] s3 and gcs buckets, sqs queues and {', '.join(ACCOUNT_AUTH)} accounts can be "
            f"resharded, not {layer!r}"
        )
        raise typer.Exit(code=2)
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"resharding {name} to {shards} shards", total=None)

            def show(status: dict[str, Any]) -> None:
                progress.update(task, description=f"resharding {name}: {status.get('moved', 0)} moved")

            status = reshard_call(
                name,
                shards,
                endpoint_url=endpoint,
                data_dir=str(data_dir),
                access_key_id=access_key_id,
                secret=secret,
                wait=wait,
                on_progress=show,
            )
    except ReshardError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(code=2) from None
    except httpx.TransportError as exc:
        console.print(f"[bold red]error:[/] cannot reach {endpoint} ({exc}); is `dotdo compat serve` running there?")
        raise typer.Exit(code=1) from None
    if status.get("running"):
        console.print(f"{name}: moving to {status['target']} shards ({status.get('moved', 0)} moved so far)")
    else:
        console.print(f"{name}: {status['shards']} shard(s)")


ACCOUNT_AUTH = {"stripe": "Bearer sk_test_", "sendgrid": "Bearer SG.", "resend": "Bearer re_", "twilio": "Basic"}
"""How each SaaS layer whose accounts can be sharded authenticates a tenant's key."""


def _account_resharder(layer: str) -> Callable[..., dict[str, Any]]:
    """`reshard(tenant, shards, ...)` for a SaaS layer, in the shape of the S3 and SQS ones."""

    def reshard_call(
        tenant: str,
        shards: int,
        *,
        endpoint_url: str,
        data_dir: str,
        access_key_id: str | None,
        secret: str | None,
        wait: bool,
        on_progress: Callable[[dict[str, Any]], None],
    ) -> dict[str, Any]:
        import base64
        import importlib

        from .openapi.account_admin import reshard_account

        if access_key_id is None or secret is None:
            credentials = _credentials(Path(data_dir))
            key = credentials.default_key() if tenant == DEFAULT_TENANT else credentials.create(tenant, (layer,))
            access_key_id, secret = key.access_key_id, key.secret or ""
        scheme, _, prefix = ACCOUNT_AUTH[layer].partition(" ")
        token = base64.b64encode(f"{access_key_id}:{secret}".encode()).decode() if scheme == "Basic" else None
        headers = {"Authorization": f"{scheme} {token or f'{prefix}{access_key_id}.{secret}'}"}
        path = importlib.import_module(f"dotdo.compat.{layer}.app").ACCOUNT_PATH
        return reshard_account(endpoint_url.rstrip("/") + path, headers, shards, wait=wait, on_progress=on_progress)

    return reshard_call


@keys_cli.command("create")
def create_key(
    tenant: Annotated[str, typer.Option(help="The tenant whose data the key reaches.")] = DEFAULT_TENANT,
    service_names: Annotated[
        list[str] | None, typer.Option("--service", help="A layer the key may call (repeat; default: all).")
    ] = None,
    data_dir: DataDir = Path(".dotdo"),
) -> None:
    """Create an access key; its secret is printed once, here."""
    chosen = service_names or [ALL_SERVICES]
    for name in chosen:
        if name != ALL_SERVICES and name not in names():
            console.print(f"[bold red]error:[/] no compat layer named {name!r}; available: {', '.join(names())}")
            raise typer.Exit(code=2)
    from .credentials import CredentialsError

    try:
        key = _credentials(data_dir).create(tenant, chosen)
    except CredentialsError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(code=2) from None
    console.print(f"access key id: [bold]{key.access_key_id}[/]\nsecret:        [bold]{key.secret}[/]")
    console.print(f"tenant {key.tenant}, services {', '.join(key.services)}. Keep the secret: it is not shown again.")


@keys_cli.command("list")
def list_keys(data_dir: DataDir = Path(".dotdo")) -> None:
    """List access keys (never their secrets)."""
    table = Table(title="compat access keys")
    for column in ("access key id", "tenant", "services"):
        table.add_column(column)
    for key in _credentials(data_dir).list():
        table.add_row(key.access_key_id, key.tenant, ", ".join(key.services))
    console.print(table)


@keys_cli.command("revoke")
def revoke_key(
    access_key_id: Annotated[str, typer.Argument(help="The key to revoke.")],
    data_dir: DataDir = Path(".dotdo"),
) -> None:
    """Revoke an access key (servers stop accepting it within seconds)."""
    if not _credentials(data_dir).revoke(access_key_id):
        console.print(f"[bold red]error:[/] no access key {access_key_id!r}; `dotdo compat keys list` shows them")
        raise typer.Exit(code=1)
    console.print(f"revoked {access_key_id}")
