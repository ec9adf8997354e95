"""SQS's query protocol: flattened form parameters in (`Attribute.1.Name=...`), XML out.

Requests are read into the JSON protocol's parameter shapes so one set of operations serves both.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

XMLNS = "http://queue.amazonaws.com/doc/2012-11-05/"
_ENTRY_LISTS = {
    "SendMessageBatchRequestEntry": "SendMessageBatchResultEntry",
    "DeleteMessageBatchRequestEntry": "DeleteMessageBatchResultEntry",
    "ChangeMessageVisibilityBatchRequestEntry": "ChangeMessageVisibilityBatchResultEntry",
}
_RESULT_ENTRIES = {
    "SendMessageBatch": "SendMessageBatchResultEntry",
    "DeleteMessageBatch": "DeleteMessageBatchResultEntry",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibilityBatchResultEntry",
}


def _tree(form: dict[str, str]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for key, value in form.items():
        node = root
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    return root


def _listed(node: Any) -> list[Any]:
    if not isinstance(node, dict):
        return []
    numbered = sorted((int(k), v) for k, v in node.items() if k.isdigit())
    return [v for _, v in numbered]


def _normalize(node: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in node.items():
        if key == "Attribute":
            params["Attributes"] = {a.get("Name"): a.get("Value", "") for a in _listed(value) if isinstance(a, dict)}
        elif key in ("AttributeName", "MessageAttributeName", "MessageSystemAttributeName"):
            params[key + "s"] = [v for v in _listed(value) if isinstance(v, str)]
        elif key == "MessageAttribute":
            params["MessageAttributes"] = {
                a.get("Name"): a.get("Value", {}) for a in _listed(value) if isinstance(a, dict)
            }
        elif key in _ENTRY_LISTS:
            params["Entries"] = [_normalize(e) for e in _listed(value) if isinstance(e, dict)]
        else:
            params[key] = value
    return params


def from_query(operation: str, form: dict[str, str]) -> dict[str, Any]:
    """The parameters of a query-protocol request, in the JSON protocol's shapes."""
    form = {k: v for k, v in form.items() if k not in ("Version", "Action")}
    return _normalize(_tree(form))


def _element(tag: str, value: Any) -> str:
    if isinstance(value, bool):
        value = "true" if value else "false"
    if isinstance(value, dict):
        return f"<{tag}>{''.join(_element(k, v) for k, v in value.items())}</{tag}>"
    return f"<{tag}>{escape(str(value))}</{tag}>"


def _message(message: dict[str, Any]) -> str:
    parts = []
    for key, value in message.items():
        if key == "Attributes":
            parts += [f"<Attribute>{_element('Name', k)}{_element('Value', v)}</Attribute>" for k, v in value.items()]
        elif key == "MessageAttributes":
            parts += [
                f"<MessageAttribute>{_element('Name', k)}{_element('Value', v)}</MessageAttribute>"
                for k, v in value.items()
            ]
        else:
            parts.append(_element(key, value))
    return "".join(parts)


def _result(operation: str, result: dict[str, Any]) -> str:
    parts = []
    for key, value in result.items():
        if key == "QueueUrls" or key == "queueUrls":
            parts += [_element("QueueUrl", url) for url in value]
        elif key == "Attributes":
            parts += [f"<Attribute>{_element('Name', k)}{_element('Value', v)}</Attribute>" for k, v in value.items()]
        elif key == "Messages":
            parts += [f"<Message>{_message(m)}</Message>" for m in value]
        elif key == "Successful":
            parts += [_element(_RESULT_ENTRIES[operation], entry) for entry in value]
        elif key == "Failed":
            parts += [_element("BatchResultErrorEntry", entry) for entry in value]
        else:
            parts.append(_element(key, value))
    return "".join(parts)


def to_query_xml(operation: str, result: dict[str, Any], request_id: str) -> bytes:
    """The query protocol's answer to `operation`."""
    return (
        f'<?xml version="1.0"?><{operation}Response xmlns="{XMLNS}"><{operation}Result>{_result(operation, result)}'
        f"</{operation}Result><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
        f"</{operation}Response>"
    ).encode()
