"""Which capability attaches to `ctx` under which name: `"module:factory"`, imported on first use.

A factory takes the `Context` and returns the capability; it lives in the layer that owns it.
"""

ATTACHMENTS: dict[str, str] = {
    "things": "dotdo.graph:attach_things",
    "relationships": "dotdo.graph:attach_relationships",
    "fs": "dotdo.primitives.fsx:attach",
    "bash": "dotdo.primitives.ctx_shell:attach_bash",
    "git": "dotdo.primitives.gitx:attach",
}
