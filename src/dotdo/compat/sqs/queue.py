"""`SqsQueue`: one queue of one tenant as one durable object: its messages, in-flight receipts, settings.

Every send, receive, delete and visibility change is one transaction of this object, so a message
whose delete was acknowledged is never delivered again, and a received message reappears only when
its visibility timeout runs out. FIFO queues deliver each message group in order, one in-flight
batch per group at a time, and drop a duplicate sent within five minutes of the first. Expired
messages (past the retention period) are removed by the object's alarm.

A standard queue can be resharded while it serves (`reshard`, see `reshard_mover`): the queue's own
object records the move, switches sends to the new layout at once and drains the objects the new
layout drops. An object that no longer takes sends (`sqs_place`) refuses them with `QueueMoved`, so
the caller sends again to the new layout. Its visible messages move (with their ids, send times and
receive counts); its in-flight ones stay until their receipts delete them or they show again, so a
receipt handed out before the reshard keeps working for as long as SQS would honour it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from ...cluster.shard_strategies import MAX_SHARDS
from ...context import DO
from ..sharding import places
from .errors import SqsError
from .reshard_mover import SCHEMA as RESHARD_SCHEMA
from .reshard_mover import QueueResharder, pending

SCHEMA = """
CREATE TABLE IF NOT EXISTS sqs_queue (
    name TEXT PRIMARY KEY, tenant TEXT NOT NULL, attributes TEXT NOT NULL, created_at REAL NOT NULL,
    modified_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sqs_messages (
    message_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, body TEXT NOT NULL, attributes TEXT NOT NULL,
    system_attributes TEXT NOT NULL, sent_at REAL NOT NULL, visible_at REAL NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0, first_received_at REAL, receipt TEXT, group_id TEXT,
    dedup_id TEXT, sequence_number TEXT);
CREATE INDEX IF NOT EXISTS sqs_messages_visible ON sqs_messages(visible_at, seq);
CREATE INDEX IF NOT EXISTS sqs_messages_receipt ON sqs_messages(receipt);
CREATE TABLE IF NOT EXISTS sqs_layout (shards INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sqs_dedup (dedup_id TEXT PRIMARY KEY, message_id TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sqs_place (place INTEGER NOT NULL, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sqs_moving (message_id TEXT PRIMARY KEY);
"""

MOVING = 1e18
"""`visible_at` of a message being copied to another object: no receive sees it meanwhile."""


class QueueMoved(SqsError):
    """This object no longer takes sends: send to the queue's new layout (`ServiceUnavailable` if a client sees it)."""

    def __init__(self) -> None:
        super().__init__("ServiceUnavailable", "the queue is being resharded; send the request again", 503)


DEFAULTS = {
    "VisibilityTimeout": "30",
    "DelaySeconds": "0",
    "MessageRetentionPeriod": "345600",
    "MaximumMessageSize": "262144",
    "ReceiveMessageWaitTimeSeconds": "0",
}
BOUNDS = {
    "VisibilityTimeout": (0, 43200),
    "DelaySeconds": (0, 900),
    "MessageRetentionPeriod": (60, 1209600),
    "MaximumMessageSize": (1024, 262144),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
}
SETTABLE = {
    *DEFAULTS,
    "RedrivePolicy",
    "Policy",
    "ContentBasedDeduplication",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "DeduplicationScope",
    "FifoThroughputLimit",
}
DEDUP_WINDOW = 300.0


def check_attributes(attributes: dict[str, str], *, fifo: bool, creating: bool) -> dict[str, str]:
    """Queue attributes as SQS validates them; `InvalidAttributeName`/`InvalidAttributeValue` otherwise."""
    checked = {}
    for name, value in attributes.items():
        if name == "FifoQueue":
            if not creating:
                raise SqsError("InvalidAttributeName", "FifoQueue can only be set when the queue is created")
            continue
        if name not in SETTABLE:
            raise SqsError("InvalidAttributeName", f"Unknown Attribute {name}.")
        if name in BOUNDS:
            low, high = BOUNDS[name]
            if not str(value).isdigit() or not low <= int(value) <= high:
                raise SqsError("InvalidAttributeValue", f"Invalid value for the parameter {name}.")
        if name == "ContentBasedDeduplication" and not fifo:
            raise SqsError("InvalidAttributeName", "ContentBasedDeduplication is only for FIFO queues")
        if name == "RedrivePolicy" and value:
            try:
                policy = json.loads(value)
                int(policy["maxReceiveCount"])
                str(policy["deadLetterTargetArn"])
            except (ValueError, KeyError, TypeError):
                raise SqsError(
                    "InvalidAttributeValue", "RedrivePolicy needs deadLetterTargetArn and maxReceiveCount"
                ) from None
        checked[name] = str(value)
    return checked


@dataclass
class OutgoingMessage:
    """A message as sent: body, attributes, and the FIFO ids."""

    body: str
    attributes: dict[str, Any] = field(default_factory=dict)
    system_attributes: dict[str, Any] = field(default_factory=dict)
    delay: int | None = None
    group_id: str | None = None
    dedup_id: str | None = None
    message_id: str | None = None
    """Set when the message keeps an id it already had (moved to a dead-letter queue)."""


@dataclass
class Received:
    """A receive's answer: the messages, those over the redrive limit, and when the next one shows."""

    messages: list[dict[str, Any]]
    to_redrive: list[dict[str, Any]]
    next_visible_at: float | None


class SqsQueue(DO):
    """One queue, reached by name `<tenant>/<queue>`."""

    async def on_start(self) -> None:
        self.storage.sql.exec(SCHEMA)
        self.storage.sql.exec(RESHARD_SCHEMA)
        self._moving: asyncio.Task[dict[str, Any]] | None = None
        if pending(self.storage.sql) is not None:
            # A reshard a crash cut short is finished in the background; sends and receives go on meanwhile.
            self.ctx.spawn(self.finish_reshard)

    # -- the queue ----------------------------------------------------------------------------------

    def create(
        self, tenant: str, name: str, attributes: dict[str, str], *, shards: int = 1, shard: bool = False
    ) -> bool:
        """Make this object the queue `name` (its messages over `shards` shard objects, or as one of those
        shards when `shard`); False if it exists with the same attributes (SQS is idempotent)."""
        fifo = name.endswith(".fifo")
        if attributes.get("FifoQueue", "false").lower() == "true" and not fifo:
            raise SqsError(
                "InvalidParameterValue",
                "The name of a FIFO queue can only include alphanumeric "
                "characters, hyphens, or underscores, must end with .fifo suffix",
            )
        if fifo and attributes.get("FifoQueue", "true").lower() != "true":
            raise SqsError("InvalidParameterValue", "a queue named .fifo must be a FIFO queue")
        checked = {**DEFAULTS, **check_attributes(attributes, fifo=fifo, creating=True)}
        if fifo:
            checked["FifoQueue"] = "true"
            checked.setdefault("ContentBasedDeduplication", "false")
        rows = self.storage.sql.exec("SELECT attributes FROM sqs_queue").to_list()
        if rows:
            existing = json.loads(rows[0]["attributes"])
            if any(existing.get(k) != v for k, v in checked.items()):
                raise SqsError(
                    "QueueNameExists",
                    "A queue already exists with the same name and a different value for attribute(s)",
                )
            return False
        now = time.time()

        def create() -> None:
            self.storage.sql.exec(
                "INSERT INTO sqs_queue VALUES (?, ?, ?, ?, ?)", name, tenant, json.dumps(checked), now, now
            )
            self.storage.sql.exec("DELETE FROM sqs_layout")
            self.storage.sql.exec("INSERT INTO sqs_layout (shards) VALUES (?)", 1 if shard else shards)
            self.storage.sql.exec("DELETE FROM sqs_place")  # a queue made again has no reshard behind it

        self.storage.transaction_sync(create)
        if not shard:
            self.ctx.send("SqsQueue.created", {"tenant": tenant, "queue": name, "shards": shards})
        return True

    def info(self) -> dict[str, Any]:
        """The queue's row with its attributes decoded; `QueueDoesNotExist` if there is none."""
        rows = self.storage.sql.exec("SELECT * FROM sqs_queue").to_list()
        if not rows:
            raise SqsError("QueueDoesNotExist", "The specified queue does not exist.")
        row = rows[0]
        row["attributes"] = json.loads(row["attributes"])
        layout = self.storage.sql.exec("SELECT shards FROM sqs_layout").to_list()
        row["shards"] = layout[0]["shards"] if layout else 1
        row["draining"] = self._draining()
        return row

    def _draining(self) -> list[int]:
        return [r["place"] for r in self.storage.sql.exec("SELECT place FROM sqs_draining ORDER BY place").to_list()]

    def delete_queue(self, *, shard: bool = False) -> None:
        """Delete the queue and every message in it."""
        info = self.info()
        self.storage.sql.exec("DELETE FROM sqs_messages")
        self.storage.sql.exec("DELETE FROM sqs_dedup")
        self.storage.sql.exec("DELETE FROM sqs_queue")
        self.storage.sql.exec("DELETE FROM sqs_layout")
        self.storage.sql.exec("DELETE FROM sqs_place")
        if not shard:
            self.ctx.send("SqsQueue.deleted", {"tenant": info["tenant"], "queue": info["name"]})

    def set_attributes(self, attributes: dict[str, str]) -> None:
        """Change settable attributes."""
        info = self.info()
        fifo = info["attributes"].get("FifoQueue") == "true"
        merged = {**info["attributes"], **check_attributes(attributes, fifo=fifo, creating=False)}
        self.storage.sql.exec("UPDATE sqs_queue SET attributes = ?, modified_at = ?", json.dumps(merged), time.time())

    def attributes(self) -> dict[str, str]:
        """Every attribute, with the approximate counts computed now."""
        info = self.info()
        now = time.time()
        counts = self.storage.sql.exec(
            "SELECT sum(visible_at <= ?) AS visible, sum(visible_at > ? AND receive_count > 0) AS in_flight, "
            "sum(visible_at > ? AND receive_count = 0) AS delayed FROM sqs_messages",
            now,
            now,
            now,
        ).one()
        return {
            **info["attributes"],
            "ApproximateNumberOfMessages": str(counts["visible"] or 0),
            "ApproximateNumberOfMessagesNotVisible": str(counts["in_flight"] or 0),
            "ApproximateNumberOfMessagesDelayed": str(counts["delayed"] or 0),
            "CreatedTimestamp": str(int(info["created_at"])),
            "LastModifiedTimestamp": str(int(info["modified_at"])),
        }

    def purge(self) -> None:
        """Delete every message."""
        self.info()
        self.storage.sql.exec("DELETE FROM sqs_messages")

    # -- messages -----------------------------------------------------------------------------------

    def send(self, messages: list[OutgoingMessage]) -> list[dict[str, Any]]:
        """Enqueue `messages` in order; for each, its id (and sequence number for FIFO) or an error."""
        info = self.info()
        place = self.storage.sql.exec("SELECT place, count FROM sqs_place").to_list()
        if place and place[0]["place"] not in places(place[0]["count"]):
            raise QueueMoved()
        attributes = info["attributes"]
        fifo = attributes.get("FifoQueue") == "true"
        now = time.time()
        results = []

        def send_all() -> None:
            self.storage.sql.exec("DELETE FROM sqs_dedup WHERE expires_at <= ?", now)
            seq = self.storage.sql.exec("SELECT coalesce(max(seq), 0) AS n FROM sqs_messages").one()["n"]
            for message in messages:
                try:
                    results.append(self._send_one(message, attributes, fifo, now, seq := seq + 1))
                except SqsError as exc:
                    results.append({"error": exc.code, "message": exc.message})

        self.storage.transaction_sync(send_all)
        self._arm_expiry()
        return results

    def _send_one(
        self, message: OutgoingMessage, attributes: dict[str, str], fifo: bool, now: float, seq: int
    ) -> dict[str, Any]:
        size = len(message.body.encode()) + sum(len(k) + len(json.dumps(v)) for k, v in message.attributes.items())
        if size > int(attributes["MaximumMessageSize"]):
            raise SqsError(
                "InvalidParameterValue",
                f"One or more parameters are invalid. Reason: Message must be "
                f"shorter than {attributes['MaximumMessageSize']} bytes.",
            )
        if fifo:
            if not message.group_id:
                raise SqsError("MissingParameter", "The request must contain the parameter MessageGroupId.")
            if message.delay:
                raise SqsError("InvalidParameterValue", "DelaySeconds is per queue for FIFO queues")
            dedup = message.dedup_id
            if dedup is None:
                if attributes.get("ContentBasedDeduplication") != "true":
                    raise SqsError(
                        "InvalidParameterValue",
                        "The queue should either have ContentBasedDeduplication "
                        "enabled or MessageDeduplicationId provided explicitly",
                    )
                dedup = hashlib.sha256(message.body.encode()).hexdigest()
            seen = self.storage.sql.exec("SELECT message_id FROM sqs_dedup WHERE dedup_id = ?", dedup).to_list()
            if seen:
                row = self.storage.sql.exec(
                    "SELECT sequence_number FROM sqs_messages WHERE message_id = ?", seen[0]["message_id"]
                ).to_list()
                return {
                    "id": seen[0]["message_id"],
                    "sequence": row[0]["sequence_number"] if row else None,
                    "md5": _md5(message.body),
                }
        elif message.group_id is not None and message.dedup_id is not None:
            raise SqsError("InvalidParameterValue", "MessageDeduplicationId is only for FIFO queues")
        message_id = message.message_id or str(uuid.uuid4())
        delay = int(attributes["DelaySeconds"]) if message.delay is None else message.delay
        sequence = f"{seq:020d}" if fifo else None
        self.storage.sql.exec(
            "INSERT OR IGNORE INTO sqs_messages (message_id, seq, body, attributes, system_attributes, sent_at, "
            "visible_at, group_id, dedup_id, sequence_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            message_id,
            seq,
            message.body,
            json.dumps(message.attributes),
            json.dumps(message.system_attributes),
            now,
            now + delay,
            message.group_id,
            message.dedup_id if fifo else None,
            sequence,
        )
        if fifo:
            self.storage.sql.exec(
                "INSERT OR REPLACE INTO sqs_dedup VALUES (?, ?, ?)", dedup, message_id, now + DEDUP_WINDOW
            )
        return {"id": message_id, "sequence": sequence, "md5": _md5(message.body)}

    def receive(self, max_messages: int, visibility_timeout: int | None) -> Received:
        """Up to `max_messages` visible messages, now hidden for the visibility timeout, with new receipts."""
        info = self.info()
        attributes = info["attributes"]
        now = time.time()
        timeout = int(attributes["VisibilityTimeout"]) if visibility_timeout is None else visibility_timeout
        redrive = json.loads(attributes.get("RedrivePolicy") or "null")
        fifo = attributes.get("FifoQueue") == "true"
        chosen: list[dict[str, Any]] = []
        to_redrive: list[dict[str, Any]] = []

        def receive() -> None:
            blocked: set[str] = set()
            if fifo:
                blocked = {
                    row["group_id"]
                    for row in self.storage.sql.exec(
                        "SELECT DISTINCT group_id FROM sqs_messages WHERE visible_at > ? AND receive_count > 0", now
                    ).to_list()
                }
            rows = self.storage.sql.exec(
                "SELECT * FROM sqs_messages WHERE visible_at <= ? ORDER BY seq LIMIT ?",
                now,
                1000 if fifo else max_messages * 4 + 10,
            ).to_list()
            for row in rows:
                if len(chosen) >= max_messages:
                    break
                if fifo and row["group_id"] in blocked:
                    continue
                if redrive and row["receive_count"] >= int(redrive["maxReceiveCount"]):
                    to_redrive.append(row)
                    self.storage.sql.exec(
                        "UPDATE sqs_messages SET visible_at = ? WHERE message_id = ?", now + 60, row["message_id"]
                    )
                    continue
                receipt = uuid.uuid4().hex + uuid.uuid4().hex
                self.storage.sql.exec(
                    "UPDATE sqs_messages SET visible_at = ?, receive_count = receive_count + 1, receipt = ?, "
                    "first_received_at = coalesce(first_received_at, ?) WHERE message_id = ?",
                    now + timeout,
                    receipt,
                    now,
                    row["message_id"],
                )
                row.update(
                    receipt=receipt,
                    receive_count=row["receive_count"] + 1,
                    first_received_at=row["first_received_at"] or now,
                )
                chosen.append(row)

        self.storage.transaction_sync(receive)
        upcoming = self.storage.sql.exec(
            "SELECT min(visible_at) AS t FROM sqs_messages WHERE visible_at > ?", now
        ).one()["t"]
        return Received([_decoded(row) for row in chosen], [_decoded(row) for row in to_redrive], upcoming)

    def redriven(self, message_ids: list[str]) -> None:
        """Remove messages now stored by the dead-letter queue."""
        for message_id in message_ids:
            self.storage.sql.exec("DELETE FROM sqs_messages WHERE message_id = ?", message_id)

    def delete_message(self, receipt: str) -> None:
        """Delete the message of `receipt` (a receipt of a message already gone is accepted, as SQS does)."""
        self.info()
        if not _looks_like_receipt(receipt):
            raise SqsError("ReceiptHandleIsInvalid", f'The input receipt handle "{receipt[:100]}" is not valid.')
        self.storage.sql.exec("DELETE FROM sqs_messages WHERE receipt = ?", receipt)

    def change_visibility(self, receipt: str, timeout: int) -> None:
        """Hide (or show) a received message for `timeout` seconds from now."""
        self.info()
        if not _looks_like_receipt(receipt):
            raise SqsError("ReceiptHandleIsInvalid", f'The input receipt handle "{receipt[:100]}" is not valid.')
        if not 0 <= timeout <= 43200:
            raise SqsError("InvalidParameterValue", "VisibilityTimeout must be between 0 and 43200")
        now = time.time()
        rows = self.storage.sql.exec("SELECT visible_at FROM sqs_messages WHERE receipt = ?", receipt).to_list()
        if not rows or rows[0]["visible_at"] <= now:
            raise SqsError("MessageNotInflight", "The message referred to is not in flight.")
        self.storage.sql.exec("UPDATE sqs_messages SET visible_at = ? WHERE receipt = ?", now + timeout, receipt)

    # -- retention ----------------------------------------------------------------------------------

    def _arm_expiry(self) -> None:
        oldest = self.storage.sql.exec("SELECT min(sent_at) AS t FROM sqs_messages").one()["t"]
        if oldest is None:
            return
        retention = int(self.info()["attributes"]["MessageRetentionPeriod"])
        due = oldest + retention
        current = self.storage.get_alarm()
        if current is None or current.timestamp() > due:
            self.storage.set_alarm(due)

    async def alarm(self) -> None:
        """Remove the messages past the retention period, then wait for the next to expire."""
        rows = self.storage.sql.exec("SELECT attributes FROM sqs_queue").to_list()
        if not rows:
            return
        retention = int(json.loads(rows[0]["attributes"])["MessageRetentionPeriod"])
        self.storage.sql.exec("DELETE FROM sqs_messages WHERE sent_at <= ?", time.time() - retention)
        self._arm_expiry()

    # -- resharding ---------------------------------------------------------------------------------

    async def reshard(self, shards: int) -> dict[str, Any]:
        """Start spreading the queue's messages over `shards` shard objects (1: back into this object).

        Sends go to the new layout at once; the objects it drops are drained in the background
        (`reshard_status`, `finish_reshard`). `InvalidParameterValue` for a FIFO queue or a bad count.
        """
        resharder = QueueResharder(self)
        count = resharder.check(shards)
        if count == int(self.info()["shards"]) and not self._draining():
            return self.reshard_status()
        resharder.begin(count)
        self.ctx.send("SqsQueue.resharding", {"tenant": resharder.tenant, "queue": resharder.name, "to": count})
        self.ctx.spawn(self.finish_reshard)
        return self.reshard_status()

    async def finish_reshard(self) -> dict[str, Any] | None:
        """Carry out the recorded reshard to its end (None if none is recorded); how many messages moved."""
        if self._moving is None or self._moving.done():
            if pending(self.storage.sql) is None:
                return None
            self._moving = asyncio.ensure_future(QueueResharder(self).run())
        report = await asyncio.shield(self._moving)
        self.ctx.send("SqsQueue.resharded", {"tenant": self.info()["tenant"], **report})
        return report

    def reshard_status(self) -> dict[str, Any]:
        """The queue's shard count and, while a reshard runs, the objects still draining and messages moved."""
        info = self.info()
        move = pending(self.storage.sql)
        status: dict[str, Any] = {"queue": info["name"], "shards": info["shards"], "running": move is not None}
        if move is not None:
            status.update(target=move["target"], moved=move["moved"], draining=info["draining"])
        return status

    def join_layout(self, tenant: str, name: str, attributes: dict[str, str], place: int, count: int) -> None:
        """Take `place` in the layout of `count` shards queue `name` goes to (created as a shard if new)."""
        if not self.storage.sql.exec("SELECT 1 FROM sqs_queue").to_list():
            self.create(tenant, name, {k: v for k, v in attributes.items() if k != "FifoQueue"}, shard=True)
        self.storage.sql.exec("DELETE FROM sqs_place")
        self.storage.sql.exec("INSERT INTO sqs_place VALUES (?, ?)", place, count)

    def export_visible(self, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` visible messages (and any an interrupted move left), hidden from receives until
        `release_messages`."""
        now = time.time()

        def export() -> list[dict[str, Any]]:
            sql = self.storage.sql
            sql.exec(
                "INSERT OR IGNORE INTO sqs_moving SELECT message_id FROM sqs_messages WHERE visible_at <= ? "
                "ORDER BY seq LIMIT ?",
                now,
                limit,
            )
            sql.exec(
                "UPDATE sqs_messages SET visible_at = ? WHERE message_id IN (SELECT message_id FROM sqs_moving)", MOVING
            )
            return sql.exec(
                "SELECT * FROM sqs_messages WHERE message_id IN (SELECT message_id FROM sqs_moving) ORDER BY seq"
            ).to_list()

        return self.storage.transaction_sync(export)

    def import_messages(self, rows: list[dict[str, Any]], visible_at: float) -> None:
        """Store messages moved here (visible from `visible_at`), keeping their ids; a second copy is ignored."""

        def store() -> None:
            sql = self.storage.sql
            seq = sql.exec("SELECT coalesce(max(seq), 0) AS n FROM sqs_messages").one()["n"]
            for row in rows:
                seq += 1
                sql.exec(
                    "INSERT OR IGNORE INTO sqs_messages (message_id, seq, body, attributes, system_attributes, "
                    "sent_at, visible_at, receive_count, first_received_at, group_id, dedup_id, sequence_number) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row["message_id"],
                    seq,
                    row["body"],
                    row["attributes"],
                    row["system_attributes"],
                    row["sent_at"],
                    visible_at,
                    row["receive_count"],
                    row["first_received_at"],
                    row["group_id"],
                    row["dedup_id"],
                    row["sequence_number"],
                )

        self.storage.transaction_sync(store)
        self._arm_expiry()

    def release_messages(self, message_ids: list[str]) -> None:
        """Drop messages now stored in their new object."""

        def release() -> None:
            marks = json.dumps(message_ids)
            self.storage.sql.exec(
                "DELETE FROM sqs_messages WHERE message_id IN (SELECT value FROM json_each(?))", marks
            )
            self.storage.sql.exec("DELETE FROM sqs_moving WHERE message_id IN (SELECT value FROM json_each(?))", marks)

        self.storage.transaction_sync(release)

    async def grow(self, split_messages: int) -> dict[str, Any] | None:
        """Start a reshard if one shard holds more than `split_messages` messages (a standard queue, none
        running); its status."""
        info = self.info()
        if info["attributes"].get("FifoQueue") == "true" or pending(self.storage.sql) is not None:
            return None
        resharder = QueueResharder(self)
        current = int(info["shards"])
        counts = [(await resharder.call(place, "remaining"))["messages"] for place in places(current)]
        if split_messages <= 0 or max(counts) <= split_messages:
            return None
        wanted = -(-2 * sum(counts) // split_messages)
        return await self.reshard(min(MAX_SHARDS, max(2 * current, wanted)))

    def remaining(self) -> dict[str, Any]:
        """How many messages this object still holds, and when the next hidden one shows again."""
        row = self.storage.sql.exec(
            "SELECT count(*) AS n, min(visible_at) AS next FROM sqs_messages WHERE visible_at < ?", MOVING
        ).one()
        moving = self.storage.sql.exec("SELECT count(*) AS n FROM sqs_moving").one()["n"]
        return {"messages": row["n"] + moving, "next_visible_at": row["next"]}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _looks_like_receipt(receipt: str) -> bool:
    return isinstance(receipt, str) and len(receipt) == 64 and all(c in "0123456789abcdef" for c in receipt)


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "attributes": json.loads(row["attributes"]),
        "system_attributes": json.loads(row["system_attributes"]),
    }
