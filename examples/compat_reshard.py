"""Splitting buckets and a queue while they serve: the official clients keep writing, reading and receiving.

    python examples/compat_reshard.py

The script serves `compat_app(["s3", "sqs", "gcs"])` with uvicorn on a free port of 127.0.0.1 (what
`dotdo compat serve s3 sqs gcs` does). It fills a bucket with 400 keys, then splits it into 4 shards
(what `dotdo compat reshard s3 photos --shards 4` does) while a thread keeps uploading, and merges
it back into 1; every acknowledged upload is then read back and the listing is checked. It splits
a Cloud Storage bucket into 3 shards through google-cloud-storage (what `dotdo compat reshard gcs
media --shards 3` does) and checks that its objects list in order with their generations unchanged.
Then it splits a queue while a message is in flight and deletes that message with the receipt it
was given before the split.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn

import dotdo.compat
from dotdo.compat import Credentials, compat_app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="compat-reshard-"))
    acme = Credentials(data_dir / "compat").create("acme", ["s3", "sqs", "gcs"])
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(compat_app(["s3", "sqs", "gcs"], data_dir=data_dir), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    key = {"endpoint_url": url, "access_key_id": acme.access_key_id, "secret": acme.secret}
    try:
        s3 = dotdo.compat.s3.client(url, access_key_id=acme.access_key_id, secret=acme.secret)
        s3.create_bucket(Bucket="photos")
        written = {f"2026/{n:04}.jpg": f"photo {n}".encode() for n in range(400)}
        for name, body in written.items():
            s3.put_object(Bucket="photos", Key=name, Body=body)

        stop = threading.Event()

        def upload_meanwhile() -> None:
            n = 0
            while not stop.is_set():
                name, body = f"2027/{n:04}.jpg", f"new photo {n}".encode()
                s3.put_object(Bucket="photos", Key=name, Body=body)
                written[name] = body
                n += 1

        uploader = threading.Thread(target=upload_meanwhile)
        uploader.start()
        print("split:", dotdo.compat.s3.reshard("photos", 4, **key))
        print("merged:", dotdo.compat.s3.reshard("photos", 1, **key))
        stop.set()
        uploader.join()
        readable = sum(s3.get_object(Bucket="photos", Key=k)["Body"].read() == v for k, v in written.items())
        listed = [
            o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket="photos") for o in page["Contents"]
        ]
        print(f"readable after resharding: {readable}/{len(written)}, listing in order: {listed == sorted(written)}")

        gcs = dotdo.compat.gcs.client(url, access_key_id=acme.access_key_id, secret=acme.secret)
        media = gcs.create_bucket("media")
        for n in range(100):
            media.blob(f"clips/{n:03}.mp4").upload_from_string(f"clip {n}".encode())
        before = {blob.name: blob.generation for blob in gcs.list_blobs(media)}
        print("gcs split:", dotdo.compat.gcs.reshard("media", 3, **key))
        after = {blob.name: blob.generation for blob in gcs.list_blobs(media, page_size=7)}
        print(f"gcs objects listed in order with their generations after the split: {after == before}")

        sqs = dotdo.compat.sqs.client(url, access_key_id=acme.access_key_id, secret=acme.secret)
        queue = sqs.create_queue(QueueName="thumbnails")["QueueUrl"]
        for n in range(20):
            sqs.send_message(QueueUrl=queue, MessageBody=f"2026/{n:04}.jpg")
        job = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=60)["Messages"][0]
        dotdo.compat.sqs.reshard("thumbnails", 3, wait=False, **key)
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=job["ReceiptHandle"])  # a receipt from before the split
        print("queue:", drained("thumbnails", key))
        left = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])
        print("messages left to process:", left["Attributes"]["ApproximateNumberOfMessages"])
    finally:
        server.should_exit = True
        thread.join()


def drained(queue: str, key: dict[str, str]) -> dict[str, object]:
    """The queue's reshard status once the shards it drops are drained."""
    status = dotdo.compat.sqs.reshard_status(queue, **key)
    while status["running"]:
        time.sleep(0.1)
        status = dotdo.compat.sqs.reshard_status(queue, **key)
    return status


if __name__ == "__main__":
    main()
