"""`storage.sql`: SQL statements on the object's own SQLite database, results as eager cursors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .errors import StorageError

if TYPE_CHECKING:
    from .storage import Storage

Row = dict[str, Any]


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
    """The SQL face of an object's storage (`self.storage.sql`)."""

    __slots__ = ("_storage",)

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def exec(self, query: str, *bindings: Any) -> SqlCursor:
        """Run one statement (or a script of several, without bindings) and return its cursor.

        Refused, with a `StorageError` saying why: an empty statement (or a script ending in only a
        comment); transaction control (`BEGIN`, `COMMIT`, `SAVEPOINT`…), as every write joins the
        object's group commit (use `storage.transaction_sync(fn)` for an all-or-nothing block);
        `ATTACH`, `VACUUM`, TEMP objects; the runtime's tables (`_dotdo_*`); pragmas outside the
        allow-list and functions that reach outside the object (see `sql_policy`).
        """
        return self._storage.execute_sql(query, bindings)

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
