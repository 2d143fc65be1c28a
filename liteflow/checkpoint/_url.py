"""`open_checkpointer(url)`: a store from a URL, with every problem named by that URL."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from ..core.errors import CheckpointError
from ._protocol import Checkpointer
from ._serde import Serde

__all__ = ["open_checkpointer", "redact_url"]

_PASSWORD_IN_TEXT = re.compile(r"(://[^:/@\s]*:)([^@\s]*)(@)")


def redact_url(url: str) -> str:
    """`url` with any password replaced by `***` (also inside a DSN's `password=`)."""
    try:
        parts = urlsplit(url)
        if parts.password is not None:
            user = parts.username or ""
            host = parts.hostname or ""
            if parts.port is not None:
                host = f"{host}:{parts.port}"
            url = urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))
    except ValueError:
        url = _PASSWORD_IN_TEXT.sub(r"\1***\3", url)
    return re.sub(r"(password=)[^&\s]*", r"\1***", url, flags=re.IGNORECASE)


def open_checkpointer(url: str, *, serde: Serde | None = None,
                      fsync: bool = False) -> Checkpointer:
    """A checkpointer from a URL.

    `"sqlite:///relative.db"`, `"sqlite:////absolute/path.db"`, `"memory://"`,
    `"postgresql://user@host/db"`. An unknown scheme or an unusable path raises
    `CheckpointError` naming the URL (password hidden); nothing is created until first use.
    """
    shown = redact_url(url)
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep:
        raise CheckpointError("checkpoint.unknown_scheme", url=shown)
    if scheme == "memory":
        from ._sqlite import MemoryCheckpointer

        return MemoryCheckpointer(serde=serde)
    if scheme == "sqlite":
        from ._sqlite import SqliteCheckpointer, check_sqlite_path

        # sqlite:///x.db -> "x.db" (relative); sqlite:////abs/x.db -> "/abs/x.db".
        if not rest.startswith("/"):
            raise CheckpointError("checkpoint.unknown_scheme", url=shown)
        raw = unquote(rest[1:].split("?", 1)[0])
        path = Path(raw)
        if not raw or raw == ":memory:":
            check_sqlite_path(Path(""), shown)
        check_sqlite_path(path, shown)
        return SqliteCheckpointer(path, fsync=fsync, serde=serde, url=shown)
    if scheme in ("postgresql", "postgres"):
        try:
            from ._postgres import PostgresCheckpointer
        except ImportError:
            raise CheckpointError("checkpoint.no_postgres", url=shown) from None
        return PostgresCheckpointer(url, serde=serde)
    raise CheckpointError("checkpoint.unknown_scheme", url=shown)
