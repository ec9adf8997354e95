"""Seeing inside: the `/_dotdo/` inspector page, its JSON API, Prometheus metrics and structured logs.

`app = Inspector(token="s3cret").attach(API(MyApp))` serves the inspector beside the app;
`dotdo dev` does this by default. The operator commands (`dotdo objects`, `sql`, `kv`, …) read
the same things from a data folder or from a running server's inspector.
"""

from .inspector import Inspector, InspectorOptions
from .logs import JsonLogFormatter, json_log_config
from .timeline import Timeline, TimelineEntry

__all__ = ["Inspector", "InspectorOptions", "JsonLogFormatter", "Timeline", "TimelineEntry", "json_log_config"]
