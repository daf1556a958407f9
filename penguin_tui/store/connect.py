"""Opening the cache file safely, and turning SQLite failures into messages for operators.

Nothing here ever deletes, truncates or "repairs" a file it did not create: a cache that cannot
be used is reported with its path and left exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

from penguin_tui.errors import CacheError
from penguin_tui.store.schema import check_not_newer, check_ours

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


def describe(exc: sqlite3.Error, path: str) -> str:
    """One sentence for an operator about what went wrong with the cache at ``path``."""
    text = str(exc)
    low = text.lower()
    if "disk is full" in low or "database or disk is full" in low:
        return f"{path}: the disk holding the cache is full; free some space or use another --cache"
    if "readonly" in low or "read-only" in low:
        return (
            f"{path}: the cache is not writable by this user; fix its permissions "
            "or use another --cache"
        )
    if "malformed" in low or "not a database" in low or "file is encrypted" in low:
        return (
            f"{path}: the cache is corrupt or not a SQLite database; it was left untouched. "
            "Move it aside (or use another --cache) and a new one will be created"
        )
    if "unable to open" in low:
        return f"{path}: the cache cannot be opened (is the directory writable?)"
    if "locked" in low or "busy" in low:
        return f"{path}: the cache stayed locked by another process for {BUSY_TIMEOUT_MS // 1000} s"
    return f"{path}: cache error: {text}"


@contextlib.contextmanager
def translated(path: str) -> Iterator[None]:
    """Re-raise SQLite and OS errors inside the block as CacheError naming ``path``."""
    try:
        yield
    except sqlite3.Error as exc:
        raise CacheError(describe(exc, path)) from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CacheError(f"{path}: {reason}") from exc


def _prepare_file(path: Path, *, create: bool) -> None:
    """Create the directory (0700) and the file (0600) if needed; refuse what is not SQLite."""
    shown = str(path)
    if not path.exists():
        if not create:
            raise CacheError(f"{shown}: no cache here (nothing has been recorded yet)")
        parent = path.parent
        try:
            if not parent.exists():
                # mkdir's mode is filtered by the umask; chmod afterwards makes 0700 certain.
                parent.mkdir(mode=0o700, parents=True)
                parent.chmod(0o700)
            # Creating the file ourselves (O_EXCL, 0600) means SQLite never creates it with
            # the umask's 0644; SQLite gives -wal and -shm the mode of the database file.
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            os.fchmod(fd, 0o600)
            os.close(fd)
        except FileExistsError:
            pass  # another process created it between our check and open: use theirs
        except OSError as exc:
            # Name the directory that refused: the deepest one that exists.
            where = next((d for d in (parent, *parent.parents) if d.exists()), parent)
            raise CacheError(
                f"{shown}: cannot create the cache ({exc.strerror or exc} at {where}); "
                "make the directory writable or use another --cache"
            ) from exc
        return
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise CacheError(f"{shown}: is not a regular file; use another --cache")
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except PermissionError as exc:
        raise CacheError(f"{shown}: the cache is not readable by this user") from exc
    except OSError as exc:
        raise CacheError(f"{shown}: cannot read the cache ({exc.strerror or exc})") from exc
    # An empty file is what we (or SQLite) leave behind before the first write: fine to use.
    if head and head != SQLITE_MAGIC:
        raise CacheError(
            f"{shown}: is not a SQLite database (it starts with {head[:8]!r}); it was left "
            "untouched. Move it aside or use another --cache"
        )


def connect(path: str | Path, *, create: bool = True, readonly: bool = False) -> sqlite3.Connection:
    """A configured connection to the cache file at ``path`` (not yet migrated).

    WAL lets readers in other processes read while the writer writes; synchronous=NORMAL is
    safe in WAL mode against process crashes (kill -9) and only risks the last transactions on
    power loss, which costs far less per batch than FULL.
    """
    p = Path(path).expanduser()
    shown = str(p)
    _prepare_file(p, create=create and not readonly)
    if not readonly and not os.access(p, os.W_OK):
        raise CacheError(
            f"{shown}: the cache is not writable by this user; fix its permissions, "
            "or open it read-only"
        )
    uri = p.resolve().as_uri() + ("?mode=ro" if readonly else "?mode=rw")
    with translated(shown):
        # check_same_thread=False: Store serialises calls with its own lock, so a store opened
        # on one thread may be used from a worker thread.
        conn = sqlite3.connect(
            uri,
            uri=True,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # Reading the schema is what makes SQLite look at the header and first page:
            # a corrupt or foreign file fails here, before anything is written. Only a file
            # that is ours (or empty) and not newer than us is switched to WAL.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            check_ours(conn, shown)
            check_not_newer(conn, shown)
            if not readonly:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise CacheError(f"{shown}: cannot switch the cache to WAL mode (got {mode})")
                conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            conn.close()
            raise
    return conn


def connect_memory() -> sqlite3.Connection:
    """An in-memory cache connection (nothing on disk, gone when closed)."""
    return sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
