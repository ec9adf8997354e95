"""The `aws` command line as a client of the S3 and SQS layers: `s3` (cp, ls, sync, rm), `s3api` and `sqs`.

The CLI runs from its own environment (see `aws_cli.py`), against `dotdo compat serve sqs s3`.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.compat.aws_cli import aws_cli
from tests.compat.conftest import CompatServer

Aws = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def aws(sqs_server: CompatServer, tmp_path_factory: pytest.TempPathFactory) -> Aws:
    """Run `aws ARGS… --endpoint-url <server>` with the server's default key; fails the test on an error."""
    executable = str(aws_cli())
    home = tmp_path_factory.mktemp("aws-home")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "AWS_ACCESS_KEY_ID": sqs_server.key.access_key_id,
        "AWS_SECRET_ACCESS_KEY": str(sqs_server.key.secret),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [executable, *args, "--endpoint-url", sqs_server.url],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    return run


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_s3_cp_sync_ls_and_rm(aws: Aws, tmp_path: Path) -> None:
    aws("s3", "mb", "s3://cli-files")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(9 * 1024 * 1024 + 17))  # over the CLI's 8 MiB multipart threshold
    aws("s3", "cp", str(big), "s3://cli-files/site/data/big.bin", "--no-progress")
    source = tmp_path / "site"
    for name, text in {"index.html": "<h1>hi</h1>", "css/site.css": "body{}", "img/a b.txt": "spaced"}.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(text)
    first = aws("s3", "sync", str(source), "s3://cli-files/site", "--no-progress").stdout
    assert first.count("upload:") == 3
    listing = aws("s3", "ls", "s3://cli-files/site/", "--recursive").stdout
    assert [line.split(None, 3)[2:] for line in listing.splitlines()] == [
        ["6", "site/css/site.css"],
        [str(big.stat().st_size), "site/data/big.bin"],
        ["6", "site/img/a b.txt"],
        ["11", "site/index.html"],
    ]
    (source / "index.html").write_text("<h1>changed, and longer</h1>")
    (source / "css/site.css").unlink()
    (source / "data").mkdir()
    (source / "data/big.bin").write_bytes(big.read_bytes())  # the same size: --size-only leaves it
    second = aws("s3", "sync", str(source), "s3://cli-files/site", "--delete", "--no-progress", "--size-only").stdout
    assert sorted((line.split(":")[0], line.rsplit(" ", 1)[-1]) for line in second.splitlines()) == [
        ("delete", "s3://cli-files/site/css/site.css"),
        ("upload", "s3://cli-files/site/index.html"),
    ]
    back = tmp_path / "back"
    aws("s3", "sync", "s3://cli-files/site", str(back), "--no-progress")
    assert sorted(p.relative_to(back).as_posix() for p in back.rglob("*") if p.is_file()) == [
        "data/big.bin",
        "img/a b.txt",
        "index.html",
    ]
    assert digest(back / "data/big.bin") == digest(big)  # the multipart object, read back whole
    assert (back / "index.html").read_text() == "<h1>changed, and longer</h1>"
    aws("s3", "rm", "s3://cli-files/", "--recursive")
    assert aws("s3", "ls", "s3://cli-files/", "--recursive", check=False).stdout == ""


def test_s3api_objects_and_errors(aws: Aws, tmp_path: Path) -> None:
    aws("s3api", "create-bucket", "--bucket", "cli-api")
    body = tmp_path / "body.json"
    body.write_text('{"a": 1}')
    put = json.loads(
        aws(
            "s3api", "put-object", "--bucket", "cli-api", "--key", "k.json", "--body", str(body),
            "--metadata", "owner=ann",
        ).stdout
    )  # fmt: skip
    assert put["ETag"] == f'"{hashlib.md5(body.read_bytes()).hexdigest()}"'
    got = json.loads(
        aws("s3api", "get-object", "--bucket", "cli-api", "--key", "k.json", str(tmp_path / "out.json")).stdout
    )
    assert got["Metadata"] == {"owner": "ann"} and (tmp_path / "out.json").read_text() == '{"a": 1}'
    missing = aws("s3api", "head-object", "--bucket", "cli-api", "--key", "nope", check=False)
    assert missing.returncode != 0 and "404" in missing.stderr


def test_sqs_send_receive_and_delete(aws: Aws) -> None:
    url = json.loads(aws("sqs", "create-queue", "--queue-name", "cli-jobs").stdout)["QueueUrl"]
    sent = json.loads(
        aws(
            "sqs", "send-message", "--queue-url", url, "--message-body", "job 1",
            "--message-attributes", '{"kind": {"DataType": "String", "StringValue": "resize"}}',
        ).stdout
    )  # fmt: skip
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"job 1").hexdigest()
    received = json.loads(
        aws(
            "sqs", "receive-message", "--queue-url", url, "--message-attribute-names", "All",
            "--wait-time-seconds", "1", "--visibility-timeout", "30",
        ).stdout
    )["Messages"]  # fmt: skip
    assert [(m["Body"], m["MessageAttributes"]["kind"]["StringValue"]) for m in received] == [("job 1", "resize")]
    aws("sqs", "delete-message", "--queue-url", url, "--receipt-handle", received[0]["ReceiptHandle"])
    attributes = json.loads(aws("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All").stdout)[
        "Attributes"
    ]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
