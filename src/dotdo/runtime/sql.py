"""`storage.sql`: user SQL on the object's own SQLite database, under the SQL policy, results as eager cursors."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .errors import StorageError
from .sql_policy import RESERVED_PREFIX, denial, reserved_message

if TYPE_CHECKING:
    from .storage import Storage

Row = dict[str, Any]

_TRANSACTION_WORDS = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})
_FILE_WORDS = frozenset({"VACUUM", "ATTACH", "DETACH"})
_FOREIGN_KEYS_WRITE = re.compile(r"PRAGMA\s+(?:main\s*\.\s*)?[\"'`\[]?foreign_keys[\"'`\]]?\s*[=(]", re.IGNORECASE)
_WRITE_ACTIONS = frozenset(
    {
        sqlite3.SQLITE_INSERT,
        sqlite3.SQLITE_UPDATE,
        sqlite3.SQLITE_DELETE,
        sqlite3.SQLITE_CREATE_INDEX,
        sqlite3.SQLITE_CREATE_TABLE,
        sqlite3.SQLITE_CREATE_TEMP_INDEX,
        sqlite3.SQLITE_CREATE_TEMP_TABLE,
        sqlite3.SQLITE_CREATE_TEMP_TRIGGER,
        sqlite3.SQLITE_CREATE_TEMP_VIEW,
        sqlite3.SQLITE_CREATE_TRIGGER,
        sqlite3.SQLITE_CREATE_VIEW,
        sqlite3.SQLITE_CREATE_VTABLE,
        sqlite3.SQLITE_DROP_INDEX,
        sqlite3.SQLITE_DROP_TABLE,
        sqlite3.SQLITE_DROP_TEMP_INDEX,
        sqlite3.SQLITE_DROP_TEMP_TABLE,
        sqlite3.SQLITE_DROP_TEMP_TRIGGER,
        sqlite3.SQLITE_DROP_TEMP_VIEW,
        sqlite3.SQLITE_DROP_TRIGGER,
        sqlite3.SQLITE_DROP_VIEW,
        sqlite3.SQLITE_DROP_VTABLE,
        sqlite3.SQLITE_ALTER_TABLE,
        sqlite3.SQLITE_REINDEX,
        sqlite3.SQLITE_ANALYZE,
    }
)
_SCHEMA_ACTIONS = _WRITE_ACTIONS - {
    sqlite3.SQLITE_INSERT,
    sqlite3.SQLITE_UPDATE,
    sqlite3.SQLITE_DELETE,
    sqlite3.SQLITE_REINDEX,
    sqlite3.SQLITE_ANALYZE,
}

_MAX_PLAIN_STATEMENTS = 4096
_plain_statements: set[str] = set()
"""Statement texts `_check_statement` passed with nothing more to do: every object of a class runs the
same few, and the checks read only the text, so each is checked once per process."""


class SqlCursor:
    """The result of one `sql.exec`: the rows (already read), their column names and row counts.

    `rows_read` counts the rows returned to you and `rows_written` the rows the statement changed
    (SQLite's changes counter, triggers included).
    """

    __slots__ = ("_description", "_names", "_position", "_rows", "rows_written")

    def __init__(
        self,
        column_names: list[str] | None,
        rows: list[tuple[Any, ...]],
        rows_written: int,
        description: Sequence[Sequence[Any]] | None = None,
    ) -> None:
        # Names come from `description` (a sqlite3 cursor's) at first use: most writes never ask.
        self._names = column_names
        self._description = description
        self._rows = rows
        self._position = 0
        self.rows_written = rows_written

    @property
    def column_names(self) -> list[str]:
        """The names of the result's columns, in order (empty for a statement that returns none)."""
        names = self._names
        if names is None:
            description = self._description
            if not description:
                names = []
            elif len(description) == 1:
                # The common one-column result skips the comprehension (a function call in 3.11).
                names = [description[0][0]]
            else:
                names = [column[0] for column in description]
            self._names = names
        return names

    def _row(self, row: tuple[Any, ...]) -> Row:
        names = self._names or self.column_names
        if len(names) == 1:
            return {names[0]: row[0]}
        return dict(zip(names, row))  # noqa: B905 (rows match their columns)

    @property
    def rows_read(self) -> int:
        """How many rows the statement returned."""
        return len(self._rows)

    def __iter__(self) -> Iterator[Row]:
        return self

    def __next__(self) -> Row:
        position = self._position
        if position >= len(self._rows):
            raise StopIteration
        self._position = position + 1
        return self._row(self._rows[position])

    def one(self) -> Row:
        """The only row; `StorageError` if the statement gave none or several."""
        rows, position = self._rows, self._position
        if len(rows) - position != 1:
            raise StorageError(f"Expected exactly one row from the query, got {len(rows) - position}")
        self._position = position + 1
        names = self._names or self.column_names
        if len(names) == 1:
            return {names[0]: rows[position][0]}
        return dict(zip(names, rows[position]))  # noqa: B905 (rows match their columns)

    def to_list(self) -> list[Row]:
        """Every remaining row as a dict."""
        return list(self)

    def raw(self) -> Iterator[tuple[Any, ...]]:
        """The remaining rows as tuples, in column order."""
        rows, start = self._rows, self._position
        self._position = len(rows)
        return iter(rows[start:])

    def __repr__(self) -> str:
        return f"SqlCursor(columns={self.column_names}, rows={len(self._rows)})"


class SqlStorage:
    """The SQL face of an object's storage (`self.storage.sql`), and the runner of user statements.

    It owns what is specific to SQL written by users: the policy checks (`sql_policy`), the
    authorizer SQLite consults while compiling, the memo of which statement texts write, and the
    object's foreign-key setting. Connections, transactions and commits stay with `Storage`.
    """

    __slots__ = ("_denied", "_foreign_keys", "_prepare_writes", "_statement_writes", "_storage")

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._statement_writes: dict[str, bool] = {}
        self._prepare_writes = False
        self._denied: str | None = None
        self._foreign_keys = True

    def exec(self, query: str, *bindings: Any) -> SqlCursor:
        """Run one statement (or a script of several, without bindings) and return its cursor.

        Refused, with a `StorageError` saying why: an empty statement (or a script ending in only a
        comment); transaction control (`BEGIN`, `COMMIT`, `SAVEPOINT`…), as every write joins the
        object's group commit (use `storage.transaction_sync(fn)` for an all-or-nothing block);
        `ATTACH`, `VACUUM`, TEMP objects; the runtime's tables (`_dotdo_*`); pragmas outside the
        allow-list and functions that reach outside the object (see `sql_policy`).
        """
        return self.execute(query, bindings)

    def execute(self, query: str, bindings: tuple[Any, ...], checked: bool = False) -> SqlCursor:
        """`exec` with the bindings as a tuple; `checked`: the statement was vetted already."""
        storage = self._storage
        conn = storage.conn or storage.connection()
        writes = self._statement_writes.get(query) if type(query) is str else None
        if writes is None:
            if not checked:
                if not isinstance(query, str):
                    raise TypeError(f"sql.exec takes the query as a str, not {type(query).__name__}")
                if query not in _plain_statements:
                    special = self._check_statement(query, bindings)
                    if special is not None:
                        return special(query, bindings)
            self._prepare_writes = False
        if writes is not False and not conn.in_transaction:
            storage.begin()
        before = conn.total_changes
        try:
            cursor = conn.execute(query, bindings)
            rows = cursor.fetchall()
        except sqlite3.ProgrammingError as exc:
            if "one statement at a time" in str(exc) and not bindings:
                return self._exec_script(query)
            raise StorageError(f"{exc} (query: {query[:200]!r})") from None
        except sqlite3.DatabaseError as exc:
            self.statement_failed(exc)
            raise
        changed = conn.total_changes - before
        result = SqlCursor(None, rows, changed, cursor.description)
        if writes is None:
            writes = self._prepare_writes
            if not checked and len(self._statement_writes) < 4096:
                self._statement_writes[query] = writes
        if (writes or changed) and not storage.dirty:
            storage.note_write()
        return result

    # -- the policy ---------------------------------------------------------------------------------

    def authorize(self, action: int, arg1: str | None, arg2: str | None, db: str | None, src: str | None) -> int:
        """SQLite's authorizer for the connection: refuse what the policy denies, note what writes."""
        storage = self._storage
        if action in _SCHEMA_ACTIONS:
            # The runtime's own statements too: whatever changes the schema ends what storage knows of it.
            storage.schema_changed()
        if storage.running_internal:
            return sqlite3.SQLITE_OK
        refused = denial(action, arg1, arg2, db)
        if refused is not None:
            self._denied = refused
            return sqlite3.SQLITE_DENY
        if action in _WRITE_ACTIONS:
            self._prepare_writes = True
        elif (
            action == sqlite3.SQLITE_PRAGMA
            and arg2 is not None
            and arg1
            and arg1.lower() == "foreign_keys"
            and storage.in_sqlite_transaction
        ):
            # SQLite ignores this pragma inside a transaction; `execute` ends the open one first.
            self._denied = (
                "PRAGMA foreign_keys cannot change inside a transaction (SQLite would ignore it): "
                "run it as a statement of its own, outside storage.transaction_sync"
            )
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    def statement_failed(self, exc: sqlite3.DatabaseError) -> None:
        """Turn a refusal by the authorizer into its message; a critical error breaks the storage."""
        denied, self._denied = self._denied, None
        if denied:
            raise StorageError(denied) from None
        self._storage.check_critical(exc)

    def foreign_keys_pragma(self) -> str:
        """The statement that applies the object's foreign-key setting to a (re)opened connection."""
        return f"PRAGMA foreign_keys={'ON' if self._foreign_keys else 'OFF'}"

    def forget_statements(self) -> None:
        """Forget which statements write (the tables they named may be gone or changed)."""
        self._statement_writes.clear()

    def _exec_script(self, script: str) -> SqlCursor:
        result = SqlCursor([], [], 0)
        written = 0
        for statement in split_statements(script):
            result = self.execute(statement, ())
            written += result.rows_written
        result.rows_written = written
        return result

    def _check_statement(
        self, query: str, bindings: tuple[Any, ...]
    ) -> Callable[[str, tuple[Any, ...]], SqlCursor] | None:
        """Refuse what must not run; return the handler of a statement that needs one (else None)."""
        if is_blank(query):
            raise StorageError("SQL code did not contain a statement (it is empty or only comments)")
        word = first_word(query)
        if word in _TRANSACTION_WORDS:
            raise StorageError(
                f"{word} is not allowed in sql.exec: writes are committed by the runtime; "
                "use storage.transaction_sync(fn) for an all-or-nothing block"
            )
        if word in _FILE_WORDS:
            raise StorageError(f"{word} is not allowed in sql.exec: it touches files outside the object")
        if ";" in query:
            statements = split_statements(query)
            if is_blank(statements[-1]):
                raise StorageError(
                    "SQL code did not contain a statement after its last ';' (only a comment); "
                    "remove the trailing comment"
                )
            if len(statements) > 1:
                return None  # a script: each of its statements is checked when it runs
        if RESERVED_PREFIX in query.lower():
            self._check_uncached(query, bindings)
        elif word not in ("ALTER", "PRAGMA") and len(_plain_statements) < _MAX_PLAIN_STATEMENTS:
            _plain_statements.add(query)
        if word == "ALTER":
            return self._exec_alter
        if word == "PRAGMA" and _FOREIGN_KEYS_WRITE.match(query, skip_blank(query)):
            return self._exec_foreign_keys
        return None

    def _check_uncached(self, query: str, bindings: tuple[Any, ...]) -> None:
        """Authorize `query` on a fresh compile: the statement cache may hold a runtime statement of
        the same text, compiled without the user's checks (EXPLAIN compiles without running it)."""
        conn = self._storage.connection()
        try:
            conn.execute(f"EXPLAIN {query}", bindings).close()
        except sqlite3.ProgrammingError:
            pass  # wrong bindings: the statement itself says so when it runs
        except sqlite3.DatabaseError as exc:
            self.statement_failed(exc)
            raise

    def _exec_alter(self, query: str, bindings: tuple[Any, ...]) -> SqlCursor:
        """ALTER TABLE, all-or-nothing: undone if it renamed a table into the runtime's namespace."""
        storage = self._storage
        reserved = f"SELECT name FROM sqlite_master WHERE name LIKE '{RESERVED_PREFIX.replace('_', '^_')}%' ESCAPE '^'"
        before = {name for (name,) in storage.run_internal(reserved)}

        def alter() -> SqlCursor:
            result = self.execute(query, bindings, checked=True)
            added = [name for (name,) in storage.run_internal(reserved) if name not in before]
            if added:
                raise StorageError(reserved_message(added[0]))
            return result

        return storage.transaction_sync(alter)

    def _exec_foreign_keys(self, query: str, bindings: tuple[Any, ...]) -> SqlCursor:
        """`PRAGMA foreign_keys = …`: SQLite ignores it inside a transaction, so end the open one first."""
        storage = self._storage
        if storage.in_transaction_block:
            raise StorageError(
                "PRAGMA foreign_keys cannot change inside storage.transaction_sync "
                "(SQLite ignores it inside a transaction); run it on its own, outside the block"
            )
        if storage.dirty:
            storage.group_commit.commit_one(storage)
        conn = storage.connection()
        if conn.in_transaction:
            # Only reads since the last commit (or a commit that failed and was rolled back).
            storage.run_internal("COMMIT")
        try:
            result = cursor_from(conn.execute(query, bindings), 0)
        except sqlite3.DatabaseError as exc:
            self.statement_failed(exc)
            raise
        self._foreign_keys = bool(storage.run_internal("PRAGMA foreign_keys")[0][0])
        return result

    # -- about the database -------------------------------------------------------------------------

    @property
    def database_size(self) -> int:
        """Bytes the object's data takes: pages in use (free pages of dropped tables not counted)."""
        rows = self._storage.run_internal(
            "SELECT (SELECT page_count FROM pragma_page_count) - (SELECT freelist_count FROM pragma_freelist_count), "
            "(SELECT page_size FROM pragma_page_size)"
        )
        pages, page_size = rows[0]
        return pages * page_size

    def set_max_page_count_for_test(self, pages: int) -> None:
        """Cap the database at `pages` pages until the connection closes: tests produce SQLITE_FULL with it."""
        self._storage.run_internal(f"PRAGMA max_page_count = {int(pages)}")


def split_statements(script: str) -> list[str]:
    """Split a script into complete statements, the way SQLite's own tokenizer sees them."""
    statements: list[str] = []
    current = ""
    for piece in script.split(";"):
        current = f"{current};{piece}" if current else piece
        if sqlite3.complete_statement(current + ";"):
            if current.strip():
                statements.append(current)
            current = ""
    if current.strip():
        statements.append(current)
    return statements


def skip_blank(sql: str, start: int = 0) -> int:
    """Index of the first character from `start` that is not whitespace, ';' or inside a comment."""
    index, length = start, len(sql)
    while index < length:
        char = sql[index]
        if char in " \t\r\n\f\v;":
            index += 1
        elif sql.startswith("--", index):
            end = sql.find("\n", index)
            index = length if end < 0 else end + 1
        elif sql.startswith("/*", index):
            end = sql.find("*/", index + 2)
            index = length if end < 0 else end + 2
        else:
            return index
    return length


def is_blank(sql: str) -> bool:
    """Whether `sql` holds no statement: only whitespace, semicolons and comments."""
    return skip_blank(sql) == len(sql)


def first_word(sql: str) -> str:
    """The statement's first keyword, upper-cased (after comments and opening parentheses)."""
    index = skip_blank(sql)
    while index < len(sql) and sql[index] == "(":
        index = skip_blank(sql, index + 1)
    end = index
    while end < len(sql) and (sql[end].isalnum() or sql[end] == "_"):
        end += 1
    return sql[index:end].upper()


def cursor_from(cursor: sqlite3.Cursor, changes: int) -> SqlCursor:
    """Read a sqlite3 cursor to its end so the statement finishes inside its turn."""
    return SqlCursor(None, cursor.fetchall(), changes, cursor.description)
