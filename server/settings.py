"""Settings, read once from the environment, typed and documented.

`SETTINGS` is the table: every variable the service reads, its default and what it is for.
README.md documents each one (a test fails when one is missing there).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from collab import Limits


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", "", "SQLAlchemy URL; default: SQLite file data/cofacture.db"),
    Setting("DATA_DIR", "data", "where the default SQLite file and generated secret key live"),
    Setting("SECRET_KEY", "", "token signing key; unset: generated once into DATA_DIR"),
    Setting("REDIS_URL", "", "reserved for multi-process fan-out; unset: one process"),
    Setting("PORT", "8000", "HTTP port (the Procfile passes it to `serve`)"),
    Setting("ACCESS_TOKEN_TTL", "3600", "seconds an access token stays valid"),
    Setting("WS_MAX_FRAME_BYTES", "1048576", "largest WebSocket frame accepted"),
    Setting("WS_SEND_QUEUE", "1000", "frames queued for one slow client before it is dropped"),
    Setting("WS_IDLE_TIMEOUT", "60", "seconds without a frame before a socket is closed"),
    Setting("ROOM_IDLE_UNLOAD", "10", "seconds an invoice with no connection stays loaded"),
    Setting("COMPACT_AFTER_UPDATES", "500", "log entries after which a snapshot is written"),
    Setting("LOG_LEVEL", "info", "Python logging level"),
)

_DEFAULTS = {s.name: s.default for s in SETTINGS}


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    data_dir: Path
    secret_key: str
    redis_url: str | None
    port: int
    access_token_ttl: int
    limits: Limits
    log_level: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        source = os.environ if env is None else env

        def get(name: str) -> str:
            return source.get(name) or _DEFAULTS[name]

        def number(name: str, kind: Callable[[str], float | int]) -> float | int:
            raw = get(name)
            try:
                value = kind(raw)
            except ValueError:
                raise SystemExit(f"{name}={raw!r} is not a valid number") from None
            if value <= 0:
                raise SystemExit(f"{name} must be positive, got {raw!r}")
            return value

        data_dir = Path(get("DATA_DIR"))
        database_url = get("DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'cofacture.db'}"
        return cls(
            database_url=_async_driver(database_url),
            data_dir=data_dir,
            secret_key=get("SECRET_KEY") or _generated_secret(data_dir),
            redis_url=get("REDIS_URL") or None,
            port=int(number("PORT", int)),
            access_token_ttl=int(number("ACCESS_TOKEN_TTL", int)),
            limits=Limits(
                max_frame_bytes=int(number("WS_MAX_FRAME_BYTES", int)),
                send_queue_frames=int(number("WS_SEND_QUEUE", int)),
                idle_timeout_seconds=float(number("WS_IDLE_TIMEOUT", float)),
                room_idle_unload_seconds=float(number("ROOM_IDLE_UNLOAD", float)),
                compact_after_updates=int(number("COMPACT_AFTER_UPDATES", int)),
            ),
            log_level=get("LOG_LEVEL").upper(),
        )


def _async_driver(url: str) -> str:
    """Accept the URLs people paste (postgres://, sqlite:///) and pick the async drivers."""
    for prefix, driver in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(prefix):
            return driver + url[len(prefix) :]
    return url


def _generated_secret(data_dir: Path) -> str:
    """A development key made once and kept, so tokens survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
