"""What user SQL may do: the rules `sql.exec` statements are authorized by, modelled on workerd's.

User SQL reaches only the object's own database: the runtime's tables (names starting with
`_dotdo_`, in any case) are neither readable nor writable, nor creatable or renamable into;
pragmas are allowed by a list (those that change process-wide state or the file format are refused,
as are TEMP objects and ATTACH); functions that reach outside the object are refused; virtual
tables are limited to FTS5 and R*Tree. Each refusal is a message saying why, starting with
"not authorized".
"""

from __future__ import annotations

import sqlite3

RESERVED_PREFIX = "_dotdo_"
"""Tables, indexes, triggers and views whose names start with this (any case) belong to the runtime."""

CACHE_SIZE_LIMIT_KIB = 16 * 1024
"""`PRAGMA cache_size` may be set up to this many KiB (a negative value) or pages of 4 KiB."""

_NO_ARGUMENT = "read-only"
_BOOLEAN = "boolean"
_OBJECT = "object name"
_OPTIONAL_OBJECT = "optional object name"
_NUMBER = "optional number"
_NUMBER_OR_OBJECT = "optional number or object name"
_ANY_OBJECT = "optional name, any table"
_CACHE_SIZE = "bounded number"

ALLOWED_PRAGMAS: dict[str, str] = {
    # Read-only state of this database.
    "data_version": _NO_ARGUMENT,
    "page_size": _NO_ARGUMENT,
    "page_count": _NO_ARGUMENT,
    "freelist_count": _NO_ARGUMENT,
    "journal_mode": _NO_ARGUMENT,
    "synchronous": _NO_ARGUMENT,
    # Switches that change only how this connection checks or orders things.
    "case_sensitive_like": _BOOLEAN,
    "foreign_keys": _BOOLEAN,
    "defer_foreign_keys": _BOOLEAN,
    "ignore_check_constraints": _BOOLEAN,
    "legacy_alter_table": _BOOLEAN,
    "recursive_triggers": _BOOLEAN,
    "reverse_unordered_selects": _BOOLEAN,
    # Schema and integrity information about the user's own tables.
    "table_list": _ANY_OBJECT,
    "table_info": _OBJECT,
    "table_xinfo": _OBJECT,
    "foreign_key_list": _OBJECT,
    "index_info": _OBJECT,
    "index_list": _OBJECT,
    "index_xinfo": _OBJECT,
    "foreign_key_check": _OPTIONAL_OBJECT,
    "quick_check": _NUMBER_OR_OBJECT,
    "integrity_check": _NUMBER_OR_OBJECT,
    "optimize": _NUMBER,
    "cache_size": _CACHE_SIZE,
}
"""Every pragma user SQL may run, with the form of argument it accepts."""

VIRTUAL_TABLE_MODULES = frozenset({"fts5", "fts5vocab", "rtree", "rtree_i32"})

REFUSED_FUNCTIONS = frozenset(
    {
        "load_extension",
        "fts3_tokenizer",
        "readfile",
        "writefile",
        "edit",
        "sqlite_version",
        "sqlite_source_id",
        "sqlite_compileoption_get",
        "sqlite_compileoption_used",
        "sqlite_offset",
    }
)
"""Functions that load code, touch files or reveal the process's build: refused in user SQL."""

_BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "1", "0"})

_NAMED_ONCE = frozenset(
    {
        sqlite3.SQLITE_CREATE_TABLE,
        sqlite3.SQLITE_DELETE,
        sqlite3.SQLITE_DROP_TABLE,
        sqlite3.SQLITE_INSERT,
        sqlite3.SQLITE_CREATE_VIEW,
        sqlite3.SQLITE_DROP_VIEW,
        sqlite3.SQLITE_REINDEX,
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_UPDATE,
    }
)
_NAMED_TWICE = frozenset(
    {
        sqlite3.SQLITE_CREATE_INDEX,
        sqlite3.SQLITE_DROP_INDEX,
        sqlite3.SQLITE_CREATE_TRIGGER,
        sqlite3.SQLITE_DROP_TRIGGER,
    }
)
_VIRTUAL_TABLES = frozenset({sqlite3.SQLITE_CREATE_VTABLE, sqlite3.SQLITE_DROP_VTABLE})


def is_reserved(name: str | None) -> bool:
    """Whether `name` is in the runtime's namespace (case-insensitive, like SQLite's names)."""
    return name is not None and name[:7].lower() == RESERVED_PREFIX


def reserved_message(name: str) -> str:
    """Why user SQL may not touch the runtime's table (or index, view, trigger) `name`."""
    return (
        f"not authorized: {name} belongs to the dotdo runtime (names starting with {RESERVED_PREFIX}, "
        "in any case, are reserved); use storage.get/put/list for key-value data and "
        "storage.set_alarm/get_alarm for the alarm"
    )


def denial(action: int, arg1: str | None, arg2: str | None, database: str | None) -> str | None:
    """Why user SQL may not do `action` (SQLite authorizer arguments), or None if it may."""
    if action == sqlite3.SQLITE_ALTER_TABLE:
        # SQLite passes the schema name first, the table second (and a column name where others
        # pass the schema).
        if arg1 not in (None, "main"):
            return "not authorized: TEMP tables, views, triggers and the temp schema are not available to user SQL"
        return reserved_message(arg2) if arg2 is not None and is_reserved(arg2) else None
    if database == "temp":
        # SQLite's own ALTER TABLE ... RENAME reads and updates the temp schema: that is fine.
        if action in (sqlite3.SQLITE_READ, sqlite3.SQLITE_UPDATE) and not is_reserved(arg1):
            return None
        return "not authorized: TEMP tables, views, triggers and the temp schema are not available to user SQL"
    if database is not None and database != "main":
        return f"not authorized: only the object's own database (main) is available, not {database!r}"
    if action in _NAMED_ONCE:
        return reserved_message(arg1) if arg1 is not None and is_reserved(arg1) else None
    if action in _NAMED_TWICE:
        for name in (arg1, arg2):
            if name is not None and is_reserved(name):
                return reserved_message(name)
        return None
    if action == sqlite3.SQLITE_PRAGMA:
        return _pragma_denial((arg1 or "").lower(), arg2)
    if action == sqlite3.SQLITE_FUNCTION:
        if arg2 is not None and arg2.lower() in REFUSED_FUNCTIONS:
            return f"not authorized to use function: {arg2} (it reaches outside the object)"
        return None
    if action in _VIRTUAL_TABLES:
        if arg2 is None or arg2.lower() not in VIRTUAL_TABLE_MODULES:
            allowed = ", ".join(sorted(VIRTUAL_TABLE_MODULES))
            return f"not authorized: virtual table module {arg2!r} is not available (allowed: {allowed})"
        return reserved_message(arg1) if arg1 is not None and is_reserved(arg1) else None
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return "not authorized: ATTACH and DETACH are not allowed: an object's storage is its own database"
    if action in (sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT):
        return (
            "not authorized: transaction statements are not allowed in sql.exec; "
            "writes are committed by the runtime; use storage.transaction_sync(fn) for an all-or-nothing block"
        )
    if action in (
        sqlite3.SQLITE_CREATE_TEMP_TABLE,
        sqlite3.SQLITE_CREATE_TEMP_INDEX,
        sqlite3.SQLITE_CREATE_TEMP_TRIGGER,
        sqlite3.SQLITE_CREATE_TEMP_VIEW,
        sqlite3.SQLITE_DROP_TEMP_TABLE,
        sqlite3.SQLITE_DROP_TEMP_INDEX,
        sqlite3.SQLITE_DROP_TEMP_TRIGGER,
        sqlite3.SQLITE_DROP_TEMP_VIEW,
    ):
        return "not authorized: TEMP tables, views, triggers and the temp schema are not available to user SQL"
    return None


def _pragma_denial(name: str, argument: str | None) -> str | None:
    form = ALLOWED_PRAGMAS.get(name)
    if form is None:
        return (
            f"not authorized: PRAGMA {name} is not on the allow-list of user SQL (pragmas that change "
            "process-wide or file-format state, or that the runtime manages, are refused); "
            f"allowed pragmas: {', '.join(sorted(ALLOWED_PRAGMAS))}"
        )
    if argument is None:
        return None if form != _OBJECT else f"not authorized: PRAGMA {name} needs a table or index name"
    if form == _NO_ARGUMENT:
        return f"not authorized: PRAGMA {name} is read-only in user SQL (managed by the runtime)"
    if form == _BOOLEAN:
        word = _unquote(argument).strip().lower()
        return None if word in _BOOLEAN_WORDS else f"not authorized: PRAGMA {name} takes a boolean, not {argument!r}"
    if form in (_OBJECT, _OPTIONAL_OBJECT):
        return reserved_message(argument) if is_reserved(_unquote(argument)) else None
    if form == _NUMBER:
        return None if _integer(argument) is not None else f"not authorized: PRAGMA {name} takes a number"
    if form == _NUMBER_OR_OBJECT:
        if _integer(argument) is not None or not is_reserved(_unquote(argument)):
            return None
        return reserved_message(_unquote(argument))
    if form == _CACHE_SIZE:
        size = _integer(argument)
        if size is not None and -CACHE_SIZE_LIMIT_KIB <= size <= CACHE_SIZE_LIMIT_KIB // 4:
            return None
        return (
            f"not authorized: PRAGMA cache_size may be at most {CACHE_SIZE_LIMIT_KIB} KiB "
            f"(-{CACHE_SIZE_LIMIT_KIB}) or {CACHE_SIZE_LIMIT_KIB // 4} pages, not {argument!r}"
        )
    return None


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"`":
        return text[1:-1]
    if len(text) >= 2 and text[0] == "[" and text[-1] == "]":
        return text[1:-1]
    return text


def _integer(text: str) -> int | None:
    try:
        return int(text.strip(), 0)
    except ValueError:
        try:
            return int(text.strip())
        except ValueError:
            return None
