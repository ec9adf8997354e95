"""Resource ids in each service's own format: `cus_…` (Stripe), `C…` (Slack), `SM…` (Twilio), numbers (GitHub).

SDKs and user code check these shapes (a regular expression, a prefix, an integer column), so a layer
hands out ids a real account could have.
"""

from __future__ import annotations

import secrets
import string

BASE62 = string.digits + string.ascii_letters
UPPER_ALPHANUMERIC = string.digits + string.ascii_uppercase


def random_text(alphabet: str, length: int) -> str:
    """`length` characters drawn from `alphabet` by the system's secure generator."""
    return "".join(secrets.choice(alphabet) for _ in range(length))


def prefixed_id(prefix: str, length: int = 24) -> str:
    """A Stripe-style id: `prefix_` then base62 characters (`cus_R2x…`)."""
    return f"{prefix}_{random_text(BASE62, length)}"


def slack_id(kind: str, length: int = 10) -> str:
    """A Slack-style id: one letter for the kind (`C` channel, `U` user, `T` team) then upper-case alphanumerics."""
    return kind + random_text(UPPER_ALPHANUMERIC, length)


def twilio_sid(prefix: str) -> str:
    """A Twilio SID: a two-letter prefix (`SM` message, `CA` call, `AC` account) and 32 hex digits."""
    return prefix + secrets.token_hex(16)
