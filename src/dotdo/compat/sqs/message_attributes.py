"""Message attributes: validated as SQS validates them, and their MD5 computed as the SDKs check it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from typing import Any

from .errors import SqsError

_NAME = re.compile(r"[A-Za-z0-9_.-]{1,256}")
_TYPE = re.compile(r"(String|Number|Binary)(\.[A-Za-z0-9_.-]{1,256})?")
MAX_ATTRIBUTES = 10


def check_message_attributes(attributes: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Attributes as stored: `{name: {"DataType": ..., "StringValue"|"BinaryValue": ...}}` (binary as base64)."""
    if not isinstance(attributes, dict):
        raise SqsError("InvalidParameterValue", "MessageAttributes must be a map")
    if len(attributes) > MAX_ATTRIBUTES:
        raise SqsError(
            "InvalidParameterValue",
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum [{MAX_ATTRIBUTES}].",
        )
    checked: dict[str, dict[str, str]] = {}
    for name, value in attributes.items():
        if not _NAME.fullmatch(name) or name.lower().startswith(("aws.", "amazon.")) or ".." in name:
            raise SqsError("InvalidParameterValue", f"The message attribute name '{name}' is invalid.")
        if not isinstance(value, dict) or not _TYPE.fullmatch(str(value.get("DataType", ""))):
            raise SqsError("InvalidParameterValue", f"The message attribute '{name}' has an invalid data type.")
        data_type = value["DataType"]
        if data_type.startswith("Binary"):
            binary = value.get("BinaryValue")
            if not isinstance(binary, str):
                raise SqsError("InvalidParameterValue", f"The message attribute '{name}' must contain a binary value.")
            try:
                base64.b64decode(binary, validate=True)
            except (binascii.Error, ValueError):
                raise SqsError(
                    "InvalidParameterValue", f"The message attribute '{name}' is not valid base64."
                ) from None
            checked[name] = {"DataType": data_type, "BinaryValue": binary}
        else:
            string = value.get("StringValue")
            if not isinstance(string, str) or string == "":
                raise SqsError(
                    "InvalidParameterValue",
                    f"The message attribute '{name}' must contain a non-empty message attribute value.",
                )
            if data_type.startswith("Number"):
                try:
                    float(string)
                except ValueError:
                    raise SqsError(
                        "InvalidParameterValue", f"Can't cast the value of message attribute '{name}' to a number."
                    ) from None
            checked[name] = {"DataType": data_type, "StringValue": string}
    return checked


def attributes_md5(attributes: dict[str, dict[str, str]]) -> str | None:
    """The MD5 SQS reports for message attributes (length-prefixed names, types and values, by name)."""
    if not attributes:
        return None
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        _length_prefixed(digest, name.encode())
        _length_prefixed(digest, value["DataType"].encode())
        if "BinaryValue" in value:
            digest.update(b"\x02")
            _length_prefixed(digest, base64.b64decode(value["BinaryValue"]))
        else:
            digest.update(b"\x01")
            _length_prefixed(digest, value["StringValue"].encode())
    return digest.hexdigest()


def _length_prefixed(digest: Any, data: bytes) -> None:
    digest.update(struct.pack("!I", len(data)))
    digest.update(data)
