"""The app `dotdo serve` runs in the cluster scenarios."""

from cluster_objects import Counter

from dotdo import API

app = API(Counter, ns="/:name")
