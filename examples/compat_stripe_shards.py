"""A large tenant's Stripe account over shard objects, and another one moved to shards while it serves.

    python examples/compat_stripe_shards.py

The script serves `compat_app(["stripe"])` with uvicorn on a free port of 127.0.0.1, with tenant
`acme` spread over 4 shard objects (what `dotdo compat serve stripe --account-shards acme=4` does).
acme's customers page newest first across the shards as from one object. Then tenant `globex`,
unsharded, with 150 products, is moved to 3 shards (what `dotdo compat reshard stripe globex --shards 3`
does) while a thread keeps creating products; every product is then found by id and in the list.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

import stripe
import uvicorn

from dotdo.compat import Credentials, compat_app
from dotdo.compat.openapi import bearer_tokens
from dotdo.compat.openapi.account_admin import account_layout, reshard_account


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="compat-stripe-shards-"))
    credentials = Credentials(data_dir / "compat")
    tokens = {t: bearer_tokens.mint(credentials.create(t, ["stripe"]), "sk_test_") for t in ("acme", "globex")}
    port = free_port()
    app = compat_app(["stripe"], data_dir=data_dir, options={"stripe": {"account_shards": {"acme": 4}}})
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    account_url = f"{url}/v1/_dotdo/account"
    try:
        acme = stripe.StripeClient(tokens["acme"], base_addresses={"api": url}, max_network_retries=0)
        made = [acme.v1.customers.create(params={"email": f"c{i}@acme.dev"}).id for i in range(20)]
        listed = [c.id for c in acme.v1.customers.list(params={"limit": 6}).auto_paging_iter()]
        assert listed == made[::-1]
        layout = account_layout(account_url, {"Authorization": f"Bearer {tokens['acme']}"})
        print("acme's resources per shard:", layout["counts"])

        globex = stripe.StripeClient(tokens["globex"], base_addresses={"api": url}, max_network_retries=0)
        products = [globex.v1.products.create(params={"name": f"p{i}"}).id for i in range(150)]
        stop = threading.Event()

        def create_meanwhile() -> None:
            while not stop.is_set():
                products.append(globex.v1.products.create(params={"name": "during the move"}).id)

        writer = threading.Thread(target=create_meanwhile)
        writer.start()
        moved = reshard_account(account_url, {"Authorization": f"Bearer {tokens['globex']}"}, 3)
        stop.set()
        writer.join()
        print(f"globex: {moved['shards']} shards, {moved['moved']} resources moved")
        listed = {p.id for p in globex.v1.products.list(params={"limit": 100}).auto_paging_iter()}
        assert listed == set(products) and all(globex.v1.products.retrieve(pid).id == pid for pid in products[::10])
        print(f"every product found after the move ({len(products)})")
    finally:
        server.should_exit = True


if __name__ == "__main__":
    main()
