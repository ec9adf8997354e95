"""`Inspector`: the `/_dotdo/` page, its JSON API and metrics, mounted on an app through its extensions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..runtime.extensions import Extensions
from .metrics import Metrics
from .mount import InspectorMount
from .names import record_name
from .observer import RequestObserver
from .timeline import Timeline

if TYPE_CHECKING:
    from ..http.app import API
    from ..runtime.ids import ObjectId
    from ..runtime.storage import Storage

MOUNT_NAME = "inspector"


@dataclass(frozen=True)
class InspectorOptions:
    """`Inspector`'s options as plain values: calling it with an app attaches a new inspector to it.

    What `dotdo serve --inspector` gives each cluster host (`Cluster(wrap_app=...)`), which builds its
    own inspector from it: an `Inspector` holds live state that does not travel between processes.
    """

    token: str | None = None
    write: bool = False
    public: bool = False
    timeline: bool = True

    def __call__(self, api: API) -> API:
        """`Inspector(...).attach(api)` with these options."""
        return Inspector(token=self.token, write=self.write, public=self.public, timeline=self.timeline).attach(api)


class Inspector:
    """Shows an app's objects at `/_dotdo/`, its metrics at `/_dotdo/metrics`, and what happens, as it happens.

    `app = Inspector(token="s3cret").attach(API(MyApp))`. Without a token and without the app's
    `auth=` hook it answers only clients on this machine (`public=True` lifts that, for a server
    behind a proxy that checks access itself). It is read-only unless `write=True`.
    `timeline=False` leaves out the per-object ring of recent requests (metrics stay).
    """

    def __init__(
        self, *, token: str | None = None, write: bool = False, public: bool = False, timeline: bool = True
    ) -> None:
        if token is not None and not token:
            raise ValueError("the inspector's token must not be empty (pass None for no token)")
        self.token = token
        self.write = write
        self.public = public
        self.timeline: Timeline | None = Timeline() if timeline else None
        self.metrics = Metrics()
        self.mount = InspectorMount(self)

    def extensions(self) -> Extensions:
        """The inspector as an app extension: its `/_dotdo/` mount."""
        return Extensions(mounts={MOUNT_NAME: self.mount})

    def attach(self, api: API) -> API:
        """Mount the inspector on `api`, observe its requests, and return it (the ASGI app to serve)."""
        if api.observer is not None:
            raise ValueError("this app already has an observer (an inspector is attached to it)")
        api.extend(self.extensions())
        api.runtime.add_storage_hook(self._on_activate)
        if self.timeline is not None:
            api.runtime.happenings.listeners.append(self.timeline.hear)
        self.metrics.watch(api.runtime)
        api.observer = RequestObserver(api, self.timeline, self.metrics)
        return api

    def _on_activate(self, oid: ObjectId, storage: Storage) -> None:
        record_name(oid, storage)
        if self.timeline is not None:
            self.timeline.record(oid.namespace, oid.name or oid.hex, "activation", "activated (opened its database)")
