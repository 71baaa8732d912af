"""`SQLiteStorage`: a persistent cache in one SQLite file, shared by the processes of one host.

Built on the standard library's `sqlite3`. The database runs in WAL mode (readers never block
the writer, and many processes may open the file at once), with `synchronous=NORMAL` (a power
cut may lose the last writes, never corrupt the file: fine for a cache) and a `busy_timeout`
that bounds how long a write waits for another process's (default 1 s; then the write is
skipped, as when the store is down). Each thread uses its own connection.

sqlite3 has no async API: on async calls, each operation runs in the storage's own worker
thread (one per storage, started on first use, stopped by `close()`), so that a lock wait or a
slow disk never blocks the event loop. Sync calls run them in their own thread, as before.

Table `axios_python_cache(key TEXT PRIMARY KEY, value BLOB, expires_at REAL)`: `value` is the
JSON + bytes format of `_serial`, `expires_at` a `time.time()` (NULL: never). Expired rows are
never returned and are deleted when the table is over `max_size` and every 256 writes.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from ._shared import SharedStorage

__all__ = ["SQLiteStorage"]

T = TypeVar("T")

_TABLE = "axios_python_cache"
_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {_TABLE} "
    "(key TEXT PRIMARY KEY, value BLOB NOT NULL, expires_at REAL)",
    f"CREATE INDEX IF NOT EXISTS {_TABLE}_expires_at ON {_TABLE} (expires_at)",
)
_WAL_RETRY_SECONDS = 5.0  # switching to WAL takes a lock that new openers fight over
_PURGE_EVERY = 256  # writes between two deletions of expired rows


class SQLiteStorage(SharedStorage):
    """A `CacheStorage` in an SQLite file (WAL mode), safe for many processes on one host.

    Args:
        path: the database file (created if missing).
        max_size: keys kept at most (None: unbounded); beyond it, the entries that expire
            first are evicted (counted in `evictions`).
        max_entry_size: bytes a key's value may take (None: unbounded); larger ones are not
            stored.
        stale_ttl: seconds a stale entry with a validator (`ETag`, `Last-Modified`) stays,
            for standards mode to revalidate it.
        timeout: seconds a write waits for another process's lock (`busy_timeout`).
        retry_interval: seconds the store is skipped after a failure.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        max_size: int | None = 10_000,
        max_entry_size: int | None = 16 * 1024 * 1024,
        stale_ttl: float = 3600.0,
        timeout: float = 1.0,
        retry_interval: float = 5.0,
    ) -> None:
        super().__init__(
            max_size=max_size,
            max_entry_size=max_entry_size,
            stale_ttl=stale_ttl,
            retry_interval=retry_interval,
        )
        self.path = os.fspath(path)
        self.timeout = timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []  # every thread's, for close()
        self._lock = threading.Lock()
        self._writes = 0
        self._worker: ThreadPoolExecutor | None = None  # for async calls, started on first use
        self._connect()  # fail now on an unusable path: a ConfigError at construction

    def __repr__(self) -> str:
        return f"<SQLiteStorage {self.path!r} max_size={self.max_size}>"

    @classmethod
    def from_url(cls, url: str, **options: Any) -> SQLiteStorage:
        """`sqlite:///relative/path.db` or `sqlite:////absolute/path.db`."""
        path = url.removeprefix("sqlite://")
        if not path.startswith("/") or path == "/":
            raise ValueError(f"a SQLite cache URL is sqlite:///path/to/file.db, not {url!r}")
        return cls(path[1:], **options)

    # --- connections ---------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
        return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
        )
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            _enable_wal(db)
            db.execute("PRAGMA synchronous = NORMAL")
            for statement in _SCHEMA:
                db.execute(statement)
        except BaseException:
            db.close()
            raise
        self._local.db = db
        with self._lock:
            self._connections.append(db)
        return db

    def close(self) -> None:
        """Close the connections of every thread and stop the worker thread (a later use opens
        a new connection, and starts a new worker)."""
        with self._lock:
            connections, self._connections = self._connections, []
            self._local = threading.local()
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.shutdown(wait=False)
        for db in connections:
            db.close()

    async def aclose(self) -> None:
        """`close()`, for symmetry with `RedisStorage.aclose()`."""
        self.close()

    # --- where operations run: the caller's thread (sync), the worker (async) -------------

    def _sync_io(self) -> Callable[..., Any]:
        return _here

    async def _async_io(self) -> Callable[..., Any]:
        return self._in_worker

    async def _in_worker(self, function: Callable[..., T], *args: Any) -> T:
        worker = self._worker
        if worker is None:
            with self._lock:
                worker = self._worker
                if worker is None:
                    worker = self._worker = ThreadPoolExecutor(
                        1, thread_name_prefix="axios-python-cache-sqlite"
                    )
        return await asyncio.get_running_loop().run_in_executor(worker, function, *args)

    # --- operations (`io` runs a function of the ones below) -----------------------------

    async def _get_bytes(self, io: Callable[..., Any], key: str) -> bytes | None:
        data: bytes | None = await io(self._select, key)
        return data

    async def _set_bytes(
        self, io: Callable[..., Any], key: str, data: bytes, expiry: float | None
    ) -> None:
        await io(self._insert, key, data, expiry)

    async def _delete(self, io: Callable[..., Any], key: str) -> None:
        await io(self._remove, key)

    async def _clear(self, io: Callable[..., Any]) -> None:
        await io(self._remove_all)

    async def _len(self, io: Callable[..., Any]) -> int:
        count: int = await io(self._count)
        return count

    def _select(self, key: str) -> bytes | None:
        row = (
            self._connection()
            .execute(
                f"SELECT value FROM {_TABLE} WHERE key = ? "
                "AND (expires_at IS NULL OR expires_at > ?)",
                (key, time.time()),
            )
            .fetchone()
        )
        return None if row is None else bytes(row[0])

    def _insert(self, key: str, data: bytes, expiry: float | None) -> None:
        now = time.time()
        expires_at = None if expiry is None else now + expiry
        db = self._connection()
        db.execute(
            f"INSERT OR REPLACE INTO {_TABLE} (key, value, expires_at) VALUES (?, ?, ?)",
            (key, data, expires_at),
        )
        self._writes += 1
        if self._writes % _PURGE_EVERY == 0:
            db.execute(f"DELETE FROM {_TABLE} WHERE expires_at <= ?", (now,))
        if self.max_size is not None:
            self._bound(db, now, self.max_size)

    def _bound(self, db: sqlite3.Connection, now: float, max_size: int) -> None:
        (count,) = db.execute(f"SELECT COUNT(*) FROM {_TABLE}").fetchone()
        if count <= max_size:
            return
        db.execute(f"DELETE FROM {_TABLE} WHERE expires_at <= ?", (now,))
        (count,) = db.execute(f"SELECT COUNT(*) FROM {_TABLE}").fetchone()
        excess = count - max_size
        if excess > 0:
            # NULL (no expiry) sorts first in SQLite: order them last, as expiring latest.
            db.execute(
                f"DELETE FROM {_TABLE} WHERE key IN (SELECT key FROM {_TABLE} "
                "ORDER BY expires_at IS NULL, expires_at LIMIT ?)",
                (excess,),
            )
            self.evictions += excess

    def _remove(self, key: str) -> None:
        self._connection().execute(f"DELETE FROM {_TABLE} WHERE key = ?", (key,))

    def _remove_all(self) -> None:
        self._connection().execute(f"DELETE FROM {_TABLE}")

    def _count(self) -> int:
        (count,) = (
            self._connection()
            .execute(
                f"SELECT COUNT(*) FROM {_TABLE} WHERE expires_at IS NULL OR expires_at > ?",
                (time.time(),),
            )
            .fetchone()
        )
        return int(count)


async def _here(function: Callable[..., T], *args: Any) -> T:
    """Run `function` in the calling thread (sync calls: never suspends)."""
    return function(*args)


def _enable_wal(db: sqlite3.Connection) -> None:
    """Switch to WAL, retrying while other processes opening the file hold the lock."""
    deadline = time.monotonic() + _WAL_RETRY_SECONDS
    while not _try_wal(db, deadline):
        time.sleep(0.01)


def _try_wal(db: sqlite3.Connection, deadline: float) -> bool:
    try:
        db.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) or time.monotonic() >= deadline:
            raise
        return False
    return True
