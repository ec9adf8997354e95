import hashlib

import pytest

from dotdo import DO, ObjectId, id_from_name, id_from_string, new_unique_id


class Room(DO):
    pass


class Lobby(DO):
    namespace = "rooms-v2"


def test_id_from_name_is_deterministic_sha256_of_namespace_and_name():
    oid = id_from_name(Room, "acme")
    assert str(oid) == hashlib.sha256(b"Room\x00acme").hexdigest()
    assert len(str(oid)) == 64
    assert oid == id_from_name(Room, "acme")
    assert oid.name == "acme"


def test_ids_are_per_class_and_namespace_overrides_the_class_name():
    assert id_from_name(Room, "acme") != id_from_name(Lobby, "acme")
    assert str(id_from_name(Lobby, "x")) == hashlib.sha256(b"rooms-v2\x00x").hexdigest()


def test_new_unique_id_is_random_and_nameless():
    a, b = new_unique_id(Room), new_unique_id(Room)
    assert a != b and a.name is None and len(a.hex) == 64


def test_id_from_string_round_trips_and_rejects_garbage():
    oid = id_from_name(Room, "acme")
    parsed = id_from_string(Room, str(oid))
    assert parsed == oid and isinstance(parsed, ObjectId)
    for bad in ["", "xyz", "A" * 64, "0" * 63, "../" + "0" * 61, 42]:
        with pytest.raises(ValueError):
            id_from_string(Room, bad)


def test_names_must_be_strings():
    with pytest.raises(TypeError):
        id_from_name(Room, 42)
