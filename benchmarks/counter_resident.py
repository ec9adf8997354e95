"""`counter_app`'s counters, kept live for the whole benchmark (no idle eviction), to measure memory per live object.

`dotdo dev counter_resident:app` and `dotdo serve counter_resident:app`: the runtime is made here on the
data folder the command gives ($DOTDO_DATA_DIR), with room for 20,000 live objects and an hour of idleness.
"""

import os

from counter_app import Counter

from dotdo import API, Runtime

runtime = Runtime(
    os.environ.get("DOTDO_DATA_DIR") or ".dotdo",
    durability=os.environ.get("DOTDO_DURABILITY") or "process",
    max_live_objects=20_000,
    idle_timeout=3600,
)
app = API(Counter, ns="/:name", runtime=runtime)
