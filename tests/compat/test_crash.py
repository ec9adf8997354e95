"""kill -9 of a compat server mid-upload and mid-consumption: nothing acknowledged is lost or delivered again."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

import dotdo.compat
from tests.compat.conftest import CompatServer, start_server

MiB = 1024 * 1024


def kill(server: CompatServer) -> None:
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait()


def restart(server: CompatServer, layers: list[str]) -> CompatServer:
    return start_server(server.data_dir, layers)


def s3_client(server: CompatServer) -> Any:
    return dotdo.compat.s3.client(server.url, access_key_id=server.key.access_key_id, secret=server.key.secret)


def test_kill_during_a_multipart_upload_keeps_every_acknowledged_part(tmp_path: Path) -> None:
    server = start_server(tmp_path, ["s3"])
    try:
        s3 = s3_client(server)
        s3.create_bucket(Bucket="crash")
        upload = s3.create_multipart_upload(Bucket="crash", Key="big")["UploadId"]
        first = s3.upload_part(Bucket="crash", Key="big", UploadId=upload, PartNumber=1, Body=b"1" * (5 * MiB))["ETag"]
        # Part 2 is half sent when the server dies: a raw socket sends its headers and half its body.
        host, port = server.url.removeprefix("http://").split(":")
        request = s3.generate_presigned_url(
            "upload_part", Params={"Bucket": "crash", "Key": "big", "UploadId": upload, "PartNumber": 2}
        )
        path = request.split(f":{port}", 1)[1]
        connection = socket.create_connection((host, int(port)))
        connection.sendall(f"PUT {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {4 * MiB}\r\n\r\n".encode())
        connection.sendall(b"2" * MiB)
        time.sleep(0.3)
        kill(server)
        connection.close()
        server = restart(server, ["s3"])
        s3 = s3_client(server)
        parts = s3.list_parts(Bucket="crash", Key="big", UploadId=upload)["Parts"]
        assert [(p["PartNumber"], p["ETag"]) for p in parts] == [(1, first)]
        s3.complete_multipart_upload(
            Bucket="crash", Key="big", UploadId=upload, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": first}]}
        )
        assert s3.get_object(Bucket="crash", Key="big")["Body"].read() == b"1" * (5 * MiB)
    finally:
        if server.process.poll() is None:
            kill(server)


def test_kill_during_receive_and_delete_loses_nothing_and_repeats_nothing_deleted(tmp_path: Path) -> None:
    server = start_server(tmp_path, ["sqs"])
    try:
        sqs = dotdo.compat.sqs.client(server.url, access_key_id=server.key.access_key_id, secret=server.key.secret)
        url = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
        sent = set()
        for batch in range(20):
            entries = [{"Id": str(i), "MessageBody": f"m{batch * 10 + i}"} for i in range(10)]
            sent |= {e["MessageBody"] for e in entries}
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
        deleted: set[str] = set()
        stop = threading.Event()

        def consume() -> None:
            while not stop.is_set():
                try:
                    for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
                        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                        deleted.add(message["Body"])
                except Exception:
                    return

        consumer = threading.Thread(target=consume)
        consumer.start()
        while len(deleted) < 60:
            time.sleep(0.01)
        kill(server)
        stop.set()
        consumer.join()
        server = restart(server, ["sqs"])
        sqs = dotdo.compat.sqs.client(server.url, access_key_id=server.key.access_key_id, secret=server.key.secret)
        remaining: set[str] = set()
        deadline = time.monotonic() + 30
        while remaining | deleted != sent and time.monotonic() < deadline:
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []
            ):
                assert message["Body"] not in deleted, "a message whose delete was acknowledged came back"
                remaining.add(message["Body"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        assert remaining | deleted == sent
    finally:
        if server.process.poll() is None:
            kill(server)
