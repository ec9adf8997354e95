import sqlite3
import subprocess
import sys
import textwrap

from dotdo.runtime.new_database import EMPTY_WAL_DATABASE, PAGE_SIZE, create_wal_database, database_template


def test_the_page_is_what_sqlite_itself_writes_when_a_new_file_switches_to_wal(tmp_path):
    path = tmp_path / "by-sqlite.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    conn.execute("PRAGMA synchronous=OFF")
    assert conn.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
    written_by_sqlite = path.read_bytes()[:PAGE_SIZE]
    conn.close()
    assert written_by_sqlite == EMPTY_WAL_DATABASE


def test_a_created_file_is_a_sound_wal_database_that_keeps_what_is_written(tmp_path):
    path = tmp_path / "objects" / "Counter" / "ab" / "new.sqlite"
    assert create_wal_database(path) is True
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    conn.execute("CREATE TABLE c (k TEXT PRIMARY KEY, v INTEGER)")
    conn.execute("INSERT INTO c VALUES ('n', 1)")
    conn.close()
    again = sqlite3.connect(path)
    assert again.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert again.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert again.execute("PRAGMA encoding").fetchone() == ("UTF-8",)
    assert again.execute("SELECT k, v FROM c").fetchall() == [("n", 1)]
    again.close()


def test_an_existing_file_is_left_as_it_is(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    assert create_wal_database(path) is False
    assert path.read_bytes() == before


def test_a_write_that_fails_leaves_no_file_behind(tmp_path):
    # A file-size limit below one page makes the write fail for real (as a full disk would).
    path = tmp_path / "objects" / "full.sqlite"
    script = textwrap.dedent(
        f"""
        import resource, signal
        from pathlib import Path
        from dotdo.runtime.new_database import create_wal_database
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, resource.RLIM_INFINITY))
        try:
            create_wal_database(Path({str(path)!r}))
        except OSError as exc:
            print("refused:", exc)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert "refused:" in done.stdout
    assert not path.exists()
    assert create_wal_database(path) is True


TEMPLATE_DDL = (
    "CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS journal_entry ON journal(entry)",
    "CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), status TEXT)",
)


def test_a_file_from_a_template_is_a_sound_wal_database_with_its_tables(tmp_path):
    template = database_template(TEMPLATE_DDL)
    assert template is database_template(TEMPLATE_DDL)  # built once per distinct DDL
    assert template.tables == {"journal", "state"}
    path = tmp_path / "objects" / "Flow" / "ab" / "new.sqlite"
    assert create_wal_database(path, template) is True
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    conn.execute("INSERT INTO journal (entry) VALUES ('started')")
    conn.execute("INSERT INTO state VALUES (1, 'running')")
    conn.close()
    again = sqlite3.connect(path)
    assert again.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert again.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert again.execute("SELECT entry FROM journal INDEXED BY journal_entry").fetchall() == [("started",)]
    assert again.execute("SELECT status FROM state").fetchall() == [("running",)]
    again.close()
    assert create_wal_database(path, template) is False


def test_a_template_without_tables_is_the_empty_database():
    assert database_template(()).image == EMPTY_WAL_DATABASE
    assert database_template(()).tables == frozenset()
