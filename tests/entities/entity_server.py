"""The app a real uvicorn process serves in `test_entity_rest_server.py`: Customer entities over REST."""

from __future__ import annotations

import os

from dotdo import Runtime
from dotdo.entities.entity import Entity
from dotdo.entities.entity_rest import EntityApp


class Customer(Entity):
    name: str
    email: str
    age: int = 0


app = EntityApp(Customer, Runtime(data_dir=os.environ["DOTDO_DATA_DIR"], objects=[Customer]))
