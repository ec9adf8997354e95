"""The SQS API as an ASGI app, in both of its protocols: JSON (today's SDKs) and query (form posts, XML answers).

Both protocols are read into the same parameters (the JSON protocol's names), run by the same
operations, and written back in the protocol of the request. Long polls (`WaitTimeSeconds`) wait
here, outside the queue's object, so a waiting receive never holds the queue's turn: a send through
this server wakes it at once, and it looks again at least every second.

A standard queue created while the server's `queue_shards` is above 1 keeps its messages in that
many shard objects (`<tenant>/<queue>-shard-<i>`, the lifecycle's shard naming): sends go to the
shards in turn, a receive asks them in turn from a rotating start until it has enough, and a
receipt handle names its shard (`<i>.<receipt>`). FIFO queues stay in one object: their order per
message group and their deduplication are the queue's own transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from starlette.responses import Response

from ..aws_sigv4 import SignatureError, verify
from ..credentials import CredentialsError
from ..request_body import read_body
from ..sharding import OWN_OBJECT, check_shard_count, places, shard_object_name
from .account import SqsAccount
from .errors import SqsError
from .message_attributes import attributes_md5, check_message_attributes
from .query_protocol import from_query, to_query_xml
from .queue import OutgoingMessage, QueueMoved, Received, SqsQueue
from .reshard_mover import DEFAULT_SPLIT_MESSAGES

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ...runtime.stub import Stub
    from ..layer import CompatContext

log = logging.getLogger("dotdo.compat.sqs")

JSON_TYPE = "application/x-amz-json-1.0"
GROW_CHECK_EVERY = 256
"""Sends to one queue between two checks of whether it has grown past its split threshold."""
MAX_BODY = 1024 * 1024
MAX_BATCH = 10
_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}(\.fifo)?")
_SHARD_RECEIPT = re.compile(r"(\d{1,4})\.([0-9a-f]{64})")
_BODY_CHARACTERS = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_COUNTS = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)
"""The attributes a sharded queue sums over its shards."""
SYSTEM_ATTRIBUTES = (
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "MessageGroupId",
    "MessageDeduplicationId",
    "SequenceNumber",
)


def account_id(tenant: str) -> str:
    """The 12-digit account id a tenant's queue URLs and ARNs carry."""
    return str(int(hashlib.sha256(tenant.encode()).hexdigest(), 16))[:12]


class Call:
    """One SQS call: its operation, parameters, tenant and the server's own address."""

    def __init__(self, operation: str, params: dict[str, Any], tenant: str, base_url: str) -> None:
        self.operation = operation
        self.params = params
        self.tenant = tenant
        self.base_url = base_url

    def queue_url(self, name: str) -> str:
        """The URL of queue `name` of this tenant."""
        return f"{self.base_url}/{account_id(self.tenant)}/{name}"

    def arn(self, name: str) -> str:
        """The ARN of queue `name` of this tenant."""
        return f"arn:aws:sqs:us-east-1:{account_id(self.tenant)}:{name}"

    def queue_name(self) -> str:
        """The queue named by `QueueUrl`; `QueueDoesNotExist` for a URL of another account."""
        url = self.required("QueueUrl")
        parts = [p for p in urlsplit(url).path.split("/") if p]
        if len(parts) != 2 or parts[0] != account_id(self.tenant) or not _QUEUE_NAME.fullmatch(parts[1]):
            raise SqsError("QueueDoesNotExist", "The specified queue does not exist.")
        return parts[1]

    def required(self, name: str) -> Any:
        """A parameter that must be present."""
        value = self.params.get(name)
        if value is None or value == "":
            raise SqsError("MissingParameter", f"The request must contain the parameter {name}.")
        return value

    def integer(self, name: str, default: int | None, low: int, high: int) -> int | None:
        """An integer parameter within [low, high]."""
        value = self.params.get(name)
        if value is None:
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise SqsError("InvalidParameterValue", f"Value {value!r} for parameter {name} is invalid.") from None
        if not low <= number <= high:
            raise SqsError(
                "InvalidParameterValue",
                f"Value {number} for parameter {name} is invalid. Reason: must be between {low} and {high}.",
            )
        return number


class SqsApp:
    """SQS on dotdo objects: one `SqsQueue` per queue, one `SqsAccount` per tenant."""

    def __init__(self, context: CompatContext) -> None:
        self.context = context
        self.queue_shards = check_shard_count("queue_shards", context.options.get("queue_shards", 1))
        split = context.options.get("queue_split_messages", DEFAULT_SPLIT_MESSAGES)
        if isinstance(split, bool) or not isinstance(split, int) or split < 0:
            raise ValueError(f"queue_split_messages: must be a whole number, 0 or more, not {split!r}")
        self.split_messages = split
        self._sends: dict[str, int] = {}
        self._growing: set[asyncio.Task[None]] = set()
        self._arrivals: dict[str, asyncio.Event] = {}
        self._layouts: dict[str, dict[str, Any]] = {}
        self._turn = itertools.count()
        self.operations: dict[str, Callable[[Call], Awaitable[dict[str, Any]]]] = {
            "CreateQueue": self.create_queue,
            "GetQueueUrl": self.get_queue_url,
            "ListQueues": self.list_queues,
            "DeleteQueue": self.delete_queue,
            "GetQueueAttributes": self.get_attributes,
            "SetQueueAttributes": self.set_attributes,
            "PurgeQueue": self.purge,
            "SendMessage": self.send_message,
            "SendMessageBatch": self.send_batch,
            "ReceiveMessage": self.receive_message,
            "DeleteMessage": self.delete_message,
            "DeleteMessageBatch": self.delete_batch,
            "ChangeMessageVisibility": self.change_visibility,
            "ChangeMessageVisibilityBatch": self.change_visibility_batch,
            "ListDeadLetterSourceQueues": self.dead_letter_sources,
            "DotdoReshardQueue": self.reshard_queue,
            "DotdoGetReshardStatus": self.reshard_status,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request_id = _request_id()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        target = headers.get("x-amz-target", "")
        json_protocol = target.startswith("AmazonSQS.")
        try:
            body = await read_body(
                receive, MAX_BODY, lambda: SqsError("InvalidParameterValue", "the request body is larger than 1 MiB")
            )
            if scope["method"] != "POST" and not body:
                body = scope.get("query_string", b"")
            tenant = self._authenticate(scope, headers, body)
            if json_protocol:
                operation = target.removeprefix("AmazonSQS.")
                try:
                    params = json.loads(body or b"{}")
                except ValueError:
                    raise SqsError("SerializationException", "the request body is not valid JSON") from None
                if not isinstance(params, dict):
                    raise SqsError("SerializationException", "the request body must be a JSON object")
            else:
                form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
                operation = form.pop("Action", "")
                params = from_query(operation, form)
            handler = self.operations.get(operation)
            if handler is None:
                raise SqsError(
                    "UnsupportedOperation" if operation else "MissingAction",
                    f"The action {operation or '(none)'} is not valid for this endpoint.",
                )
            host = headers.get("host", "127.0.0.1")
            root = scope.get("root_path", "")
            result = await handler(Call(operation, params, tenant, f"{scope.get('scheme', 'http')}://{host}{root}"))
            if json_protocol:
                response = Response(json.dumps(result), media_type=JSON_TYPE, headers={"x-amzn-RequestId": request_id})
            else:
                response = Response(to_query_xml(operation, result, request_id), media_type="text/xml")
        except SqsError as exc:
            response = _error(exc, json_protocol, request_id)
        except Exception:
            log.exception("SQS request failed")
            response = _error(
                SqsError("InternalFailure", "We encountered an internal error."), json_protocol, request_id
            )
        await response(scope, receive, send)

    def _authenticate(self, scope: Scope, headers: dict[str, str], body: bytes) -> str:
        credentials = self.context.credentials

        def secret_for(key_id: str) -> str | None:
            key = credentials.lookup(key_id)
            return None if key is None else key.secret

        raw_path: bytes = scope.get("compat.raw_path") or scope.get("raw_path") or scope["path"].encode()
        try:
            signed = verify(
                method=scope["method"],
                raw_path=raw_path.decode("latin-1"),
                query_string=scope.get("query_string", b"").decode("latin-1"),
                headers=headers,
                secret_for=secret_for,
                service="sqs",
                body=body,
                double_encode_path=True,
            )
        except SignatureError as exc:
            code = {
                "SignatureDoesNotMatch": "SignatureDoesNotMatch",
                "InvalidAccessKeyId": "InvalidClientTokenId",
                "RequestTimeTooSkewed": "SignatureDoesNotMatch",
            }.get(exc.code, "AccessDenied")
            raise SqsError(code, exc.message, 403) from None
        except CredentialsError as exc:
            raise SqsError("InvalidClientTokenId", str(exc), 403) from None
        key = credentials.lookup(signed.access_key_id)
        if key is None or not key.allows("sqs"):
            raise SqsError("AccessDenied", "this access key may not use SQS", 403)
        return key.tenant

    def _queue(self, call: Call, name: str | None = None) -> Stub:
        return self.context.runtime.get(SqsQueue, f"{call.tenant}/{name or call.queue_name()}")

    def _account(self, call: Call) -> Stub:
        return self.context.runtime.get(SqsAccount, call.tenant)

    def _shard(self, call: Call, index: int, name: str | None = None) -> Stub:
        return self.context.runtime.get(SqsQueue, shard_object_name(call.tenant, name or call.queue_name(), index))

    async def _layout(self, call: Call, name: str | None = None, *, fresh: bool = False) -> dict[str, Any]:
        """{"shards": N, "draining": [places]}: over how many shard objects the queue's messages are (1: its
        own object), and which objects a reshard is draining. Cached until a reshard changes it."""
        key = f"{call.tenant}/{name or call.queue_name()}"
        layout = self._layouts.get(key)
        if layout is None or layout["draining"] or fresh:
            info = await self._queue(call, name).info()
            layout = self._layouts[key] = {"shards": int(info["shards"]), "draining": info["draining"]}
        return layout

    def _place(self, call: Call, place: int, name: str | None = None) -> Stub:
        return self._queue(call, name) if place == OWN_OBJECT else self._shard(call, place, name)

    async def _holders(self, call: Call, name: str | None = None) -> list[tuple[int, Stub]]:
        """The objects holding the queue's messages, with their places: the layout's, then those draining."""
        layout = await self._layout(call, name)
        found = places(layout["shards"]) + [p for p in layout["draining"] if p not in places(layout["shards"])]
        return [(place, self._place(call, place, name)) for place in found]

    async def _send(self, call: Call, messages: list[OutgoingMessage], name: str | None = None) -> list[dict[str, Any]]:
        """Send `messages` to the object whose turn it is (the layout's shards in turn), again after a reshard."""
        for attempt in range(3):
            layout = await self._layout(call, name, fresh=attempt > 0)
            active = places(layout["shards"])
            try:
                return await self._place(call, active[next(self._turn) % len(active)], name).send(messages)
            except QueueMoved:
                continue
        raise SqsError("ServiceUnavailable", "the queue is being resharded; send the request again", 503)

    async def _on_receipt(self, call: Call, handle: Any, method: str, *args: Any) -> Any:
        """Call `method(receipt, *args)` of the object holding the message of receipt handle `handle`."""
        invalid = SqsError("ReceiptHandleIsInvalid", f'The input receipt handle "{str(handle)[:100]}" is not valid.')
        layout = await self._layout(call)
        known = set(places(layout["shards"])) | set(layout["draining"])
        found = _SHARD_RECEIPT.fullmatch(handle) if isinstance(handle, str) else None
        if layout["shards"] <= 1 and not layout["draining"]:
            place, receipt = OWN_OBJECT, handle
        elif found is not None and int(found[1]) in known:
            place, receipt = int(found[1]), found[2]
        elif found is None and OWN_OBJECT in known:
            place, receipt = OWN_OBJECT, handle
        else:
            raise invalid
        try:
            return await getattr(self._place(call, place), method)(receipt, *args)
        except SqsError as exc:
            if exc.code == "QueueDoesNotExist" and place != OWN_OBJECT:
                raise invalid from None  # its shard was drained by a reshard and is gone: a stale receipt
            raise

    def _count_sends(self, call: Call, name: str, sent: int) -> None:
        """Every `GROW_CHECK_EVERY` sends to a queue, ask it (in the background) whether it should split."""
        if not self.split_messages or not sent:
            return
        key = f"{call.tenant}/{name}"
        before = self._sends.get(key, 0)
        self._sends[key] = before + sent
        if before // GROW_CHECK_EVERY == (before + sent) // GROW_CHECK_EVERY:
            return
        task = asyncio.ensure_future(self._grow(call, name))
        self._growing.add(task)
        task.add_done_callback(self._growing.discard)

    async def _grow(self, call: Call, name: str) -> None:
        try:
            if await self._queue(call, name).grow(self.split_messages) is not None:
                self._layouts.pop(f"{call.tenant}/{name}", None)
        except SqsError:
            pass  # deleted meanwhile, or a reshard runs already: nothing to do
        except Exception:
            log.exception("checking whether a queue should split failed")

    # -- resharding (dotdo's own operations) --------------------------------------------------------

    async def reshard_queue(self, call: Call) -> dict[str, Any]:
        """`DotdoReshardQueue` {QueueName, Shards}: start spreading a standard queue over Shards objects."""
        name = call.required("QueueName")
        if not isinstance(name, str) or not _QUEUE_NAME.fullmatch(name):
            raise SqsError("QueueDoesNotExist", "The specified queue does not exist.")
        status = await self._queue(call, name).reshard(call.params.get("Shards"))
        self._layouts.pop(f"{call.tenant}/{name}", None)
        return status

    async def reshard_status(self, call: Call) -> dict[str, Any]:
        """`DotdoGetReshardStatus` {QueueName}: the queue's shard count and the reshard under way, if any."""
        name = call.required("QueueName")
        if not isinstance(name, str) or not _QUEUE_NAME.fullmatch(name):
            raise SqsError("QueueDoesNotExist", "The specified queue does not exist.")
        status = await self._queue(call, name).reshard_status()
        if not status["running"]:
            self._layouts.pop(f"{call.tenant}/{name}", None)
        return status

    # -- queues -------------------------------------------------------------------------------------

    async def create_queue(self, call: Call) -> dict[str, Any]:
        name = call.required("QueueName")
        if not isinstance(name, str) or not _QUEUE_NAME.fullmatch(name):
            raise SqsError(
                "InvalidParameterValue",
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
            )
        attributes = call.params.get("Attributes") or {}
        if not isinstance(attributes, dict):
            raise SqsError("InvalidParameterValue", "Attributes must be a map")
        attributes = {k: str(v) for k, v in attributes.items()}
        shards = 1 if name.endswith(".fifo") else self.queue_shards
        try:  # an existing queue keeps the layout it was made with
            shards = int((await self._queue(call, name).info())["shards"])
        except SqsError:
            pass
        if shards > 1:  # the shards first: the queue answers only once they all exist
            await asyncio.gather(
                *(self._shard(call, i, name).create(call.tenant, name, attributes, shard=True) for i in range(shards))
            )
        await self._queue(call, name).create(call.tenant, name, attributes, shards=shards)
        self._layouts.pop(f"{call.tenant}/{name}", None)
        await self._account(call).add(name)
        return {"QueueUrl": call.queue_url(name)}

    async def get_queue_url(self, call: Call) -> dict[str, Any]:
        name = call.required("QueueName")
        if not isinstance(name, str) or not _QUEUE_NAME.fullmatch(name):
            raise SqsError("QueueDoesNotExist", "The specified queue does not exist.")
        await self._queue(call, name).info()
        return {"QueueUrl": call.queue_url(name)}

    async def list_queues(self, call: Call) -> dict[str, Any]:
        names = await self._account(call).queues(call.params.get("QueueNamePrefix") or "")
        limit = call.integer("MaxResults", None, 1, 1000)
        start = int(call.params["NextToken"]) if str(call.params.get("NextToken", "")).isdigit() else 0
        page = names[start:] if limit is None else names[start : start + limit]
        result: dict[str, Any] = {"QueueUrls": [call.queue_url(n) for n in page]} if page else {}
        if limit is not None and start + limit < len(names):
            result["NextToken"] = str(start + limit)
        return result

    async def delete_queue(self, call: Call) -> dict[str, Any]:
        name = call.queue_name()
        shards = [stub for place, stub in await self._holders(call) if place != OWN_OBJECT]
        await asyncio.gather(*(shard.delete_queue(shard=True) for shard in shards))
        await self._queue(call).delete_queue()
        self._layouts.pop(f"{call.tenant}/{name}", None)
        await self._account(call).remove(name)
        return {}

    async def get_attributes(self, call: Call) -> dict[str, Any]:
        name = call.queue_name()
        attributes = await self._queue(call).attributes()
        shards = [stub for place, stub in await self._holders(call) if place != OWN_OBJECT]
        if shards:
            for counts in await asyncio.gather(*(shard.attributes() for shard in shards)):
                for field in _COUNTS:
                    attributes[field] = str(int(attributes[field]) + int(counts[field]))
        attributes["QueueArn"] = call.arn(name)
        wanted = call.params.get("AttributeNames") or []
        if "All" not in wanted:
            unknown = [w for w in wanted if w not in attributes and w not in ("RedrivePolicy", "Policy")]
            if unknown:
                raise SqsError("InvalidAttributeName", f"Unknown Attribute {unknown[0]}.")
            attributes = {k: v for k, v in attributes.items() if k in wanted}
        return {"Attributes": attributes} if attributes else {}

    async def set_attributes(self, call: Call) -> dict[str, Any]:
        attributes = call.required("Attributes")
        if not isinstance(attributes, dict):
            raise SqsError("InvalidParameterValue", "Attributes must be a map")
        changed = {k: str(v) for k, v in attributes.items()}
        await self._queue(call).set_attributes(changed)
        shards = [stub for place, stub in await self._holders(call) if place != OWN_OBJECT]
        await asyncio.gather(*(shard.set_attributes(changed) for shard in shards))
        return {}

    async def purge(self, call: Call) -> dict[str, Any]:
        for _, holder in await self._holders(call):
            await holder.purge()
        return {}

    async def dead_letter_sources(self, call: Call) -> dict[str, Any]:
        target = call.arn(call.queue_name())
        sources = []
        for name in await self._account(call).queues():
            attributes = (await self._queue(call, name).info())["attributes"]
            policy = json.loads(attributes.get("RedrivePolicy") or "null")
            if policy and policy.get("deadLetterTargetArn") == target:
                sources.append(call.queue_url(name))
        return {"queueUrls": sources}

    # -- messages -----------------------------------------------------------------------------------

    def _outgoing(self, call: Call, entry: dict[str, Any]) -> OutgoingMessage:
        body = entry.get("MessageBody")
        if not isinstance(body, str) or body == "":
            raise SqsError("MissingParameter", "The request must contain the parameter MessageBody.")
        if _BODY_CHARACTERS.search(body):
            raise SqsError("InvalidMessageContents", "Invalid characters found in the message body.")
        delay = call.integer("DelaySeconds", None, 0, 900) if entry is call.params else _entry_int(entry)
        return OutgoingMessage(
            body=body,
            attributes=check_message_attributes(entry.get("MessageAttributes") or {}),
            system_attributes=entry.get("MessageSystemAttributes") or {},
            delay=delay,
            group_id=entry.get("MessageGroupId"),
            dedup_id=entry.get("MessageDeduplicationId"),
        )

    def _arrived(self, call: Call, name: str) -> None:
        event = self._arrivals.get(f"{call.tenant}/{name}")
        if event is not None:
            event.set()

    async def send_message(self, call: Call) -> dict[str, Any]:
        name = call.queue_name()
        message = self._outgoing(call, call.params)
        [result] = await self._send(call, [message])
        if "error" in result:
            raise SqsError(result["error"], result["message"])
        self._arrived(call, name)
        self._count_sends(call, name, 1)
        answer = {"MessageId": result["id"], "MD5OfMessageBody": result["md5"]}
        if message.attributes:
            answer["MD5OfMessageAttributes"] = attributes_md5(message.attributes)
        if result["sequence"]:
            answer["SequenceNumber"] = result["sequence"]
        return answer

    async def send_batch(self, call: Call) -> dict[str, Any]:
        name = call.queue_name()
        entries = _batch(call)
        successful, failed, messages, ids = [], [], [], []
        for entry in entries:
            try:
                messages.append(self._outgoing(call, entry))
                ids.append(entry["Id"])
            except SqsError as exc:
                failed.append({"Id": entry["Id"], "SenderFault": True, "Code": exc.code, "Message": exc.message})
        results = await self._send(call, messages) if messages else []
        for entry_id, message, result in zip(ids, messages, results, strict=True):
            if "error" in result:
                failed.append(
                    {"Id": entry_id, "SenderFault": True, "Code": result["error"], "Message": result["message"]}
                )
                continue
            item = {"Id": entry_id, "MessageId": result["id"], "MD5OfMessageBody": result["md5"]}
            if message.attributes:
                item["MD5OfMessageAttributes"] = attributes_md5(message.attributes)
            if result["sequence"]:
                item["SequenceNumber"] = result["sequence"]
            successful.append(item)
        self._arrived(call, name)
        self._count_sends(call, name, len(successful))
        return {"Successful": successful, "Failed": failed}

    async def receive_message(self, call: Call) -> dict[str, Any]:
        name = call.queue_name()
        stub = self._queue(call)
        info = await stub.info()
        count = call.integer("MaxNumberOfMessages", 1, 1, 10) or 1
        timeout = call.integer("VisibilityTimeout", None, 0, 43200)
        default_wait = int(info["attributes"].get("ReceiveMessageWaitTimeSeconds", "0"))
        wait = call.integer("WaitTimeSeconds", default_wait, 0, 20) or 0
        deadline = time.monotonic() + wait
        key = f"{call.tenant}/{name}"
        holders = await self._holders(call)
        while True:
            event = self._arrivals.setdefault(key, asyncio.Event())
            event.clear()
            messages, next_visible_at = await self._receive_once(call, info["attributes"], holders, count, timeout)
            remaining = deadline - time.monotonic()
            if messages or remaining <= 0:
                break
            pause = min(remaining, 1.0)
            if next_visible_at is not None:
                pause = min(pause, max(0.01, next_visible_at - time.time()))
            try:
                await asyncio.wait_for(event.wait(), pause)
            except TimeoutError:
                pass
        wanted_system = set(call.params.get("MessageSystemAttributeNames") or call.params.get("AttributeNames") or [])
        wanted_attributes = set(call.params.get("MessageAttributeNames") or [])
        return {"Messages": [_message_out(m, wanted_system, wanted_attributes) for m in messages]} if messages else {}

    async def _receive_once(
        self, call: Call, attributes: dict[str, str], holders: list[tuple[int, Stub]], count: int, timeout: int | None
    ) -> tuple[list[dict[str, Any]], float | None]:
        """One look at the queue: its shards in turn from a rotating start, until `count` messages are found."""
        messages: list[dict[str, Any]] = []
        next_visible_at: float | None = None
        start = next(self._turn) if len(holders) > 1 else 0
        for step in range(len(holders)):
            place, holder = holders[(start + step) % len(holders)]
            try:
                received: Received = await holder.receive(count - len(messages), timeout)
            except SqsError as exc:
                if exc.code == "QueueDoesNotExist" and place != OWN_OBJECT:
                    continue  # a shard a reshard drained and dropped since this receive began
                raise
            if received.to_redrive:
                await self._redrive(call, attributes, received, holder)
            if place != OWN_OBJECT:
                for message in received.messages:
                    message["receipt"] = f"{place}.{message['receipt']}"
            messages += received.messages
            if received.next_visible_at is not None:
                next_visible_at = min(next_visible_at or received.next_visible_at, received.next_visible_at)
            if len(messages) >= count:
                break
        return messages, next_visible_at

    async def _redrive(self, call: Call, attributes: dict[str, str], received: Received, source: Stub) -> None:
        policy = json.loads(attributes["RedrivePolicy"])
        target = str(policy["deadLetterTargetArn"]).rsplit(":", 1)[-1]
        moved = [
            OutgoingMessage(
                body=m["body"],
                attributes=m["attributes"],
                system_attributes=m["system_attributes"],
                delay=0,
                group_id=m["group_id"],
                dedup_id=m["dedup_id"],
                message_id=m["message_id"],
            )
            for m in received.to_redrive
        ]
        try:
            await self._send(call, moved, target)
        except SqsError:
            log.warning("dead-letter queue %s of %s is missing: messages stay", target, call.tenant)
            return
        await source.redriven([m["message_id"] for m in received.to_redrive])

    async def delete_message(self, call: Call) -> dict[str, Any]:
        await self._on_receipt(call, call.required("ReceiptHandle"), "delete_message")
        return {}

    async def delete_batch(self, call: Call) -> dict[str, Any]:
        successful, failed = [], []
        for entry in _batch(call):
            try:
                await self._on_receipt(call, entry.get("ReceiptHandle") or "", "delete_message")
                successful.append({"Id": entry["Id"]})
            except SqsError as exc:
                failed.append({"Id": entry["Id"], "SenderFault": True, "Code": exc.code, "Message": exc.message})
        return {"Successful": successful, "Failed": failed}

    async def change_visibility(self, call: Call) -> dict[str, Any]:
        timeout = call.integer("VisibilityTimeout", None, 0, 43200)
        if timeout is None:
            raise SqsError("MissingParameter", "The request must contain the parameter VisibilityTimeout.")
        await self._on_receipt(call, call.required("ReceiptHandle"), "change_visibility", timeout)
        return {}

    async def change_visibility_batch(self, call: Call) -> dict[str, Any]:
        successful, failed = [], []
        for entry in _batch(call):
            try:
                timeout = int(entry.get("VisibilityTimeout", 0))
                await self._on_receipt(call, entry.get("ReceiptHandle") or "", "change_visibility", timeout)
                successful.append({"Id": entry["Id"]})
            except (SqsError, ValueError) as exc:
                code = exc.code if isinstance(exc, SqsError) else "InvalidParameterValue"
                failed.append({"Id": entry["Id"], "SenderFault": True, "Code": code, "Message": str(exc)})
        return {"Successful": successful, "Failed": failed}


def _entry_int(entry: dict[str, Any]) -> int | None:
    value = entry.get("DelaySeconds")
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SqsError("InvalidParameterValue", "DelaySeconds must be an integer") from None
    if not 0 <= number <= 900:
        raise SqsError("InvalidParameterValue", "DelaySeconds must be between 0 and 900")
    return number


def _batch(call: Call) -> list[dict[str, Any]]:
    entries = call.params.get("Entries")
    if not entries:
        raise SqsError("EmptyBatchRequest", "There should be at least one entry in the request.")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise SqsError("InvalidParameterValue", "Entries must be a list of objects")
    if len(entries) > MAX_BATCH:
        raise SqsError("TooManyEntriesInBatchRequest", f"Maximum number of entries per request are {MAX_BATCH}.")
    ids = [e.get("Id") for e in entries]
    if any(not isinstance(i, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,80}", i) for i in ids):
        raise SqsError(
            "InvalidBatchEntryId",
            "A batch entry id can only contain alphanumeric characters, hyphens "
            "and underscores. It can be at most 80 letters long.",
        )
    if len(set(ids)) != len(ids):
        raise SqsError("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.")
    return entries


def _message_out(message: dict[str, Any], wanted_system: set[str], wanted_attributes: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "MessageId": message["message_id"],
        "ReceiptHandle": message["receipt"],
        "MD5OfBody": hashlib.md5(message["body"].encode()).hexdigest(),
        "Body": message["body"],
    }
    system = {
        "SenderId": "dotdo",
        "SentTimestamp": str(int(message["sent_at"] * 1000)),
        "ApproximateReceiveCount": str(message["receive_count"]),
        "ApproximateFirstReceiveTimestamp": str(int((message["first_received_at"] or message["sent_at"]) * 1000)),
    }
    if message["group_id"] is not None:
        system["MessageGroupId"] = message["group_id"]
    if message["dedup_id"] is not None:
        system["MessageDeduplicationId"] = message["dedup_id"]
    if message["sequence_number"] is not None:
        system["SequenceNumber"] = message["sequence_number"]
    chosen = system if "All" in wanted_system else {k: v for k, v in system.items() if k in wanted_system}
    if chosen:
        out["Attributes"] = chosen
    attributes = message["attributes"]
    if attributes and wanted_attributes:
        if not {"All", ".*"} & wanted_attributes:
            attributes = {
                k: v
                for k, v in attributes.items()
                if k in wanted_attributes or any(w.endswith(".*") and k.startswith(w[:-2]) for w in wanted_attributes)
            }
        if attributes:
            out["MessageAttributes"] = attributes
            out["MD5OfMessageAttributes"] = attributes_md5(attributes)
    return out


def _request_id() -> str:
    import uuid

    return str(uuid.uuid4())


def _error(exc: SqsError, json_protocol: bool, request_id: str) -> Response:
    headers = {"x-amzn-RequestId": request_id, "x-amzn-query-error": f"{exc.legacy_code};{exc.fault}"}
    if json_protocol:
        return Response(json.dumps(exc.to_json()), status_code=exc.status, media_type=JSON_TYPE, headers=headers)
    return Response(exc.to_xml(request_id), status_code=exc.status, media_type="text/xml", headers=headers)


def build(context: CompatContext) -> SqsApp:
    """The SQS app of a compat server."""
    return SqsApp(context)
