"""`TypesenseAccount`: one tenant's Typesense collections (their schemas), API keys, aliases, synonyms,
overrides and stopword sets."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from ...context import DO

SCHEMA = """
CREATE TABLE IF NOT EXISTS typesense_collections (
    name TEXT PRIMARY KEY, schema TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS typesense_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT, value TEXT NOT NULL UNIQUE, description TEXT, actions TEXT NOT NULL,
    collections TEXT NOT NULL, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS typesense_rules (
    kind TEXT NOT NULL, collection TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (kind, collection, id));
"""
RULE_KINDS = ("alias", "synonym", "override", "stopwords")
"""What `typesense_rules` holds: aliases and stopword sets (collection ""), a collection's synonyms and overrides."""
NEVER = 64723363199
"""Typesense's `expires_at` of a key that does not expire."""


class TypesenseAccount(DO):
    """The collection schemas and API keys of one tenant."""

    async def on_start(self) -> None:
        self.storage.sql.exec(SCHEMA)

    def add_collection(self, name: str, schema: dict[str, Any]) -> bool:
        """Record a collection's schema; False if the name is taken."""
        rows = self.storage.sql.exec(
            "INSERT OR IGNORE INTO typesense_collections VALUES (?, ?, ?) RETURNING name",
            name,
            json.dumps(schema),
            int(time.time()),
        ).to_list()
        return bool(rows)

    def set_schema(self, name: str, schema: dict[str, Any]) -> None:
        """Replace a collection's schema."""
        self.storage.sql.exec("UPDATE typesense_collections SET schema = ? WHERE name = ?", json.dumps(schema), name)

    def collection(self, name: str) -> dict[str, Any] | None:
        """A collection's schema with its `created_at`, or None."""
        rows = self.storage.sql.exec("SELECT * FROM typesense_collections WHERE name = ?", name).to_list()
        return {**json.loads(rows[0]["schema"]), "created_at": rows[0]["created_at"]} if rows else None

    def collections(self) -> list[dict[str, Any]]:
        """Every collection's schema, newest first."""
        rows = self.storage.sql.exec("SELECT * FROM typesense_collections ORDER BY created_at DESC, name")
        return [{**json.loads(row["schema"]), "created_at": row["created_at"]} for row in rows]

    def remove_collection(self, name: str) -> None:
        """Forget a collection, with its synonyms and overrides."""
        self.storage.sql.exec("DELETE FROM typesense_collections WHERE name = ?", name)
        self.storage.sql.exec("DELETE FROM typesense_rules WHERE collection = ?", name)

    def resolve(self, name: str) -> str:
        """The collection `name` stands for: an alias's target, else `name` itself."""
        rows = self.storage.sql.exec(
            "SELECT body FROM typesense_rules WHERE kind = 'alias' AND collection = '' AND id = ?", name
        ).to_list()
        return json.loads(rows[0]["body"])["collection_name"] if rows else name

    def put_rule(self, kind: str, collection: str, rule_id: str, body: dict[str, Any]) -> None:
        """Create or replace a rule (`RULE_KINDS`) of a collection ("" for the tenant's own)."""
        self.storage.sql.exec(
            "INSERT OR REPLACE INTO typesense_rules VALUES (?, ?, ?, ?)", kind, collection, rule_id, json.dumps(body)
        )

    def rule(self, kind: str, collection: str, rule_id: str) -> dict[str, Any] | None:
        """One rule's body, or None."""
        rows = self.storage.sql.exec(
            "SELECT body FROM typesense_rules WHERE kind = ? AND collection = ? AND id = ?", kind, collection, rule_id
        ).to_list()
        return json.loads(rows[0]["body"]) if rows else None

    def rules(self, kind: str, collection: str) -> list[tuple[str, dict[str, Any]]]:
        """Every rule of a kind of a collection, (id, body) in id order."""
        rows = self.storage.sql.exec(
            "SELECT id, body FROM typesense_rules WHERE kind = ? AND collection = ? ORDER BY id", kind, collection
        )
        return [(row["id"], json.loads(row["body"])) for row in rows]

    def search_rules(
        self, collection: str, stopword_set: str | None, with_overrides: bool
    ) -> tuple[list[tuple[str, dict[str, Any]]], list[str] | None]:
        """What a search of `collection` needs of the rules, in one call: its overrides (if wanted) and
        the words of the stopword set it names (None when it names none or the set does not exist)."""
        overrides = self.rules("override", collection) if with_overrides else []
        stored = self.rule("stopwords", "", stopword_set) if stopword_set else None
        return overrides, stored["stopwords"] if stored is not None else None

    def delete_rule(self, kind: str, collection: str, rule_id: str) -> dict[str, Any] | None:
        """Delete a rule; its body, or None if there was none."""
        rows = self.storage.sql.exec(
            "DELETE FROM typesense_rules WHERE kind = ? AND collection = ? AND id = ? RETURNING body",
            kind,
            collection,
            rule_id,
        ).to_list()
        return json.loads(rows[0]["body"]) if rows else None

    def create_key(
        self, tenant: str, description: str | None, actions: list[str], collections: list[str], expires_at: int | None
    ) -> dict[str, Any]:
        """A new key (its value names the tenant: `<tenant>_<random>`), value included this once."""
        value = f"{tenant}_{secrets.token_urlsafe(24)}"
        row = self.storage.sql.exec(
            "INSERT INTO typesense_keys (value, description, actions, collections, expires_at) VALUES (?, ?, ?, ?, ?) "
            "RETURNING id",
            value,
            description,
            json.dumps(actions),
            json.dumps(collections),
            expires_at or NEVER,
        ).one()
        return {**self._key(row["id"], reveal=True)}

    def _key(self, key_id: int, reveal: bool = False) -> dict[str, Any]:
        row = self.storage.sql.exec("SELECT * FROM typesense_keys WHERE id = ?", key_id).one()
        key = {
            "id": row["id"],
            "description": row["description"],
            "actions": json.loads(row["actions"]),
            "collections": json.loads(row["collections"]),
            "expires_at": row["expires_at"],
            "autodelete": False,
        }
        if reveal:
            key["value"] = row["value"]
        else:
            key["value_prefix"] = row["value"][: len(row["value"].split("_")[0]) + 5]
        return key

    def key(self, key_id: int) -> dict[str, Any] | None:
        """A key without its value, or None."""
        rows = self.storage.sql.exec("SELECT id FROM typesense_keys WHERE id = ?", key_id).to_list()
        return self._key(key_id) if rows else None

    def key_by_value(self, value: str) -> dict[str, Any] | None:
        """The key with this value (with it), or None."""
        rows = self.storage.sql.exec("SELECT id FROM typesense_keys WHERE value = ?", value).to_list()
        return self._key(rows[0]["id"], reveal=True) if rows else None

    def keys(self) -> list[dict[str, Any]]:
        """Every key, without values."""
        return [self._key(row["id"]) for row in self.storage.sql.exec("SELECT id FROM typesense_keys ORDER BY id")]

    def delete_key(self, key_id: int) -> bool:
        """Delete a key; False if there was none."""
        return self.storage.sql.exec("DELETE FROM typesense_keys WHERE id = ? RETURNING id", key_id).to_list() != []
