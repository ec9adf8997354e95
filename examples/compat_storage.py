"""S3 and SQS on dotdo, used through boto3 exactly as against AWS: only the endpoint changes.

    python examples/compat_storage.py

The script serves `compat_app(["s3", "sqs"])` with uvicorn on a free port of 127.0.0.1 (what
`dotdo compat serve s3 sqs` does), creates a key for tenant `acme`, then uploads a photo, lists the
bucket, queues a thumbnail job and consumes it, and shows that another tenant sees nothing. Each
bucket's keys are spread over 4 objects and each standard queue's messages over 2 (what
`--bucket-shards 4 --queue-shards 2` asks of `dotdo compat serve`): the clients cannot tell.
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
    data_dir = Path(tempfile.mkdtemp(prefix="compat-example-"))
    keys = Credentials(data_dir / "compat")
    acme = keys.create("acme", ["s3", "sqs"])
    other = keys.create("globex", ["s3"])
    port = free_port()
    shards = {"s3": {"bucket_shards": 4}, "sqs": {"queue_shards": 2}}
    app = compat_app(["s3", "sqs"], data_dir=data_dir, options=shards)
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    try:
        s3 = dotdo.compat.s3.client(url, access_key_id=acme.access_key_id, secret=acme.secret)
        sqs = dotdo.compat.sqs.client(url, access_key_id=acme.access_key_id, secret=acme.secret)
        s3.create_bucket(Bucket="photos")
        s3.put_object(Bucket="photos", Key="2026/cat.jpg", Body=b"\xff\xd8 a cat", ContentType="image/jpeg")
        listed = [o["Key"] for o in s3.list_objects_v2(Bucket="photos", Prefix="2026/")["Contents"]]
        print("acme's photos:", listed)
        queue = sqs.create_queue(QueueName="thumbnails")["QueueUrl"]
        sqs.send_message(QueueUrl=queue, MessageBody="2026/cat.jpg")
        job = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"][0]
        photo = s3.get_object(Bucket="photos", Key=job["Body"])
        print(f"thumbnail job for {job['Body']}: {photo['ContentLength']} bytes of {photo['ContentType']}")
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=job["ReceiptHandle"])
        globex = dotdo.compat.s3.client(url, access_key_id=other.access_key_id, secret=other.secret)
        print("globex sees buckets:", [b["Name"] for b in globex.list_buckets()["Buckets"]])
    finally:
        server.should_exit = True
        thread.join()


if __name__ == "__main__":
    main()
