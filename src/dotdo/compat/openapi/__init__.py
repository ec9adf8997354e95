"""The engine that serves SaaS APIs from their published OpenAPI documents.

A layer gives the engine the service's document (trimmed by `python -m dotdo.compat.openapi.trim`),
an `ApiAccount` subclass with a handler per operation it serves, and its `ServiceConventions`
(authentication, error shape, body encoding); the engine routes, decodes, validates and runs each
request in the tenant's account object.
"""

from __future__ import annotations

from . import bearer_tokens
from .account import ApiAccount, ApiCall, ApiError, Handler, Reply
from .document import OpenAPIDocument, Operation
from .engine import OpenAPIApp, ServiceConventions
from .form_encoding import decode_form, encode_form
from .ids import prefixed_id, slack_id, twilio_sid
from .resource_rows import ResourceShard
from .schema_objects import blank, lay_over
from .validation import InvalidRequest, response_errors

__all__ = [
    "ApiAccount",
    "ApiCall",
    "ApiError",
    "Handler",
    "InvalidRequest",
    "OpenAPIApp",
    "OpenAPIDocument",
    "Operation",
    "Reply",
    "ResourceShard",
    "ServiceConventions",
    "bearer_tokens",
    "blank",
    "decode_form",
    "encode_form",
    "lay_over",
    "prefixed_id",
    "response_errors",
    "slack_id",
    "twilio_sid",
]
