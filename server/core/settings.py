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
from urllib.parse import urlsplit

from collab.sync import Limits


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", "", "SQLAlchemy URL; default: SQLite file data/cofacture.db"),
    Setting("DATA_DIR", "data", "where the default SQLite file and generated secret key live"),
    Setting("SECRET_KEY", "", "token signing key; unset: generated once into DATA_DIR"),
    Setting(
        "REDIS_URL",
        "",
        "Redis shared by several processes on one PostgreSQL (docs/deploy.md); unset: one process",
    ),
    Setting("PORT", "8000", "HTTP port (the Procfile passes it to `serve`)"),
    Setting("ACCESS_TOKEN_TTL", "900", "seconds an access token stays valid"),
    Setting("WS_MAX_FRAME_BYTES", "1048576", "largest WebSocket frame accepted"),
    Setting("WS_SEND_QUEUE", "1000", "frames queued for one slow client before it is dropped"),
    Setting(
        "WS_SEND_QUEUE_BYTES", "8388608", "bytes queued for one slow client before it is dropped"
    ),
    Setting("AWARENESS_STATE_BYTES", "8192", "largest presence state of one client"),
    Setting("WS_IDLE_TIMEOUT", "60", "seconds without a frame before a socket is closed"),
    Setting("ROOM_IDLE_UNLOAD", "10", "seconds an invoice with no connection stays loaded"),
    Setting("COMPACT_AFTER_UPDATES", "500", "log entries after which a snapshot is written"),
    Setting("LOCK_LEASE_SECONDS", "30", "how long a field lock lasts after its last renewal"),
    Setting("LOG_LEVEL", "info", "Python logging level"),
    # HTTP connections (docs/security.md): an idle or half-sent connection is closed.
    Setting("HTTP_KEEP_ALIVE", "5", "seconds an idle keep-alive connection stays open"),
    Setting("HTTP_HEADER_TIMEOUT", "10", "seconds a connection has to send a request's head"),
    Setting("TRUSTED_PROXIES", "", "proxy addresses whose X-Forwarded-* are believed; unset: none"),
    Setting(
        "ALLOW_NEW_DATABASE",
        "",
        "1: start on a database other than the one recorded in DATA_DIR (or a missing SQLite file)",
    ),
    # Access control (docs/security.md).
    Setting("REFRESH_TOKEN_TTL", "1209600", "seconds a refresh token stays valid unused"),
    Setting("ALLOWED_ORIGINS", "", "browser origins allowed on the WebSocket; unset: same host"),
    Setting("AUTH_FREE_FAILURES", "5", "failed attempts per account before delays start"),
    Setting("AUTH_LOCKOUT_FAILURES", "10", "failed attempts per account that lock it out"),
    Setting("AUTH_LOCKOUT_SECONDS", "900", "seconds of lockout; older failures are forgotten"),
    Setting("AUTH_DELAY_SECONDS", "1", "first delay after the free failures; doubles each time"),
    Setting("AUTH_IP_FACTOR", "5", "an address may fail this many times more than an account"),
    Setting("TOTP_ISSUER", "Cofacture", "issuer name shown by authenticator apps"),
    Setting("INVITE_TTL", "604800", "seconds an invitation to set a password stays valid"),
    Setting("OIDC_ISSUER", "", "OpenID Connect issuer URL; unset: single sign-on is off"),
    Setting("OIDC_CLIENT_ID", "", "client id registered with the OpenID provider"),
    Setting("OIDC_CLIENT_SECRET", "", "client secret registered with the OpenID provider"),
    # E-invoicing (docs/e-invoices.md).
    Setting("RENDER_PROCESSES", "1", "worker processes rendering PDFs (one core left for editing)"),
    Setting(
        "PLATFORM_DROP_DIR",
        "",
        "directory the file-drop e-invoicing adapter writes issued invoices to; unset: none",
    ),
    # Mail (docs/mail.md).
    Setting(
        "SMTP_URL",
        "",
        "smtp://user:password@host:587?starttls=1 or smtps://...; unset: mail waits in the outbox",
    ),
    Setting("MAIL_FROM", "Cofacture <no-reply@localhost>", "the From of every message sent"),
    # Card payments on the public payment page (docs/paypage.md): both keys, or neither.
    Setting("STRIPE_SECRET_KEY", "", "Stripe secret key (sk_...); unset: transfer only"),
    Setting("STRIPE_WEBHOOK_SECRET", "", "signing secret (whsec_...) of the Stripe webhook"),
    Setting("STRIPE_API_BASE", "", "Stripe API address (stripe-mock, tests); unset: Stripe's"),
    Setting(
        "WEBHOOKS_ALLOW_PRIVATE",
        "",
        "1: webhook URLs may resolve to loopback, private or link-local addresses (development, "
        "tests); unset: refused, when saved and before every attempt",
    ),
    # Slack, Teams and e-mail notifications (docs/integrations.md).
    Setting(
        "PUBLIC_URL",
        "",
        "the address people open Cofacture at (https://cofacture.example.com): the base of "
        "the invoice links in notifications; unset: Slack, Teams and e-mail notifications "
        "carry no link",
    ),
    Setting(
        "CHAT_ALLOW_ANY_HOST",
        "",
        "1: Slack/Teams webhook URLs may be on any host, over http too (tests against a local "
        "receiver); unset: https on Slack's and Microsoft's webhook hosts only",
    ),
    Setting(
        "JOB_LEASE_SECONDS",
        "120",
        "seconds a background job may run before it is presumed dead and run again",
    ),
)

_DEFAULTS = {s.name: s.default for s in SETTINGS}


@dataclass(frozen=True, slots=True)
class AccessSettings:
    """Tokens, throttling, two-factor and single sign-on (docs/security.md)."""

    refresh_token_ttl: int = 1209600
    allowed_origins: tuple[str, ...] = ()
    free_failures: int = 5
    lockout_failures: int = 10
    lockout_seconds: float = 900.0
    delay_seconds: float = 1.0
    ip_factor: int = 5
    totp_issuer: str = "Cofacture"
    invite_ttl: int = 604800
    oidc_issuer: str | None = None
    oidc_client_id: str = ""
    oidc_client_secret: str = ""


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
    access: AccessSettings = AccessSettings()
    http_keep_alive: float = 5.0
    http_header_timeout: float = 10.0
    trusted_proxies: tuple[str, ...] = ()
    # Start even if the database is not the one recorded in DATA_DIR (docs/reliability.md).
    allow_new_database: bool = False
    platform_drop_dir: Path | None = None  # the file-drop e-invoicing adapter's directory
    smtp_url: str | None = None  # unset: mail waits in the outbox
    mail_from: str = "Cofacture <no-reply@localhost>"
    stripe_secret_key: str | None = None  # with the webhook secret: card payments
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None  # unset: the library's (api.stripe.com)
    job_lease_seconds: float = 120.0
    webhooks_allow_private: bool = False  # webhooks to this machine and its networks
    public_url: str | None = None  # the base of the invoice links of notifications
    chat_allow_any_host: bool = False  # webhook URLs on any host (tests)

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
                send_queue_bytes=int(number("WS_SEND_QUEUE_BYTES", int)),
                awareness_state_bytes=int(number("AWARENESS_STATE_BYTES", int)),
                idle_timeout_seconds=float(number("WS_IDLE_TIMEOUT", float)),
                room_idle_unload_seconds=float(number("ROOM_IDLE_UNLOAD", float)),
                compact_after_updates=int(number("COMPACT_AFTER_UPDATES", int)),
                lock_lease_seconds=float(number("LOCK_LEASE_SECONDS", float)),
            ),
            log_level=get("LOG_LEVEL").upper(),
            http_keep_alive=float(number("HTTP_KEEP_ALIVE", float)),
            http_header_timeout=float(number("HTTP_HEADER_TIMEOUT", float)),
            trusted_proxies=tuple(
                p.strip() for p in get("TRUSTED_PROXIES").split(",") if p.strip()
            ),
            allow_new_database=get("ALLOW_NEW_DATABASE").lower() in ("1", "true", "yes"),
            platform_drop_dir=Path(get("PLATFORM_DROP_DIR")) if get("PLATFORM_DROP_DIR") else None,
            smtp_url=_smtp_url(get("SMTP_URL")),
            mail_from=get("MAIL_FROM"),
            stripe_secret_key=_stripe_keys(get)[0],
            stripe_webhook_secret=_stripe_keys(get)[1],
            stripe_api_base=get("STRIPE_API_BASE").rstrip("/") or None,
            job_lease_seconds=float(number("JOB_LEASE_SECONDS", float)),
            webhooks_allow_private=get("WEBHOOKS_ALLOW_PRIVATE").lower() in ("1", "true", "yes"),
            public_url=_public_url(get("PUBLIC_URL")),
            chat_allow_any_host=get("CHAT_ALLOW_ANY_HOST").lower() in ("1", "true", "yes"),
            access=AccessSettings(
                refresh_token_ttl=int(number("REFRESH_TOKEN_TTL", int)),
                allowed_origins=tuple(
                    o.strip().rstrip("/") for o in get("ALLOWED_ORIGINS").split(",") if o.strip()
                ),
                free_failures=int(number("AUTH_FREE_FAILURES", int)),
                lockout_failures=int(number("AUTH_LOCKOUT_FAILURES", int)),
                lockout_seconds=float(number("AUTH_LOCKOUT_SECONDS", float)),
                delay_seconds=float(number("AUTH_DELAY_SECONDS", float)),
                ip_factor=int(number("AUTH_IP_FACTOR", int)),
                totp_issuer=get("TOTP_ISSUER"),
                invite_ttl=int(number("INVITE_TTL", int)),
                oidc_issuer=get("OIDC_ISSUER").rstrip("/") or None,
                oidc_client_id=get("OIDC_CLIENT_ID"),
                oidc_client_secret=get("OIDC_CLIENT_SECRET"),
            ),
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


def _smtp_url(raw: str) -> str | None:
    """Checked at start: a wrong SMTP_URL would otherwise fail every delivery much later."""
    if not raw:
        return None
    parts = urlsplit(raw)
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        parts = urlsplit("")
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SystemExit("SMTP_URL must look like smtp://user:password@host:587")
    return raw


def _public_url(raw: str) -> str | None:
    """Checked at start: a link base that is not an absolute http(s) address would make every
    notification's button fail much later."""
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SystemExit("PUBLIC_URL must look like https://cofacture.example.com")
    return raw.rstrip("/")


def _stripe_keys(get: Callable[[str], str]) -> tuple[str | None, str | None]:
    """Both or neither: a secret key without the webhook's secret would take card payments
    that are never recorded."""
    key, webhook = get("STRIPE_SECRET_KEY") or None, get("STRIPE_WEBHOOK_SECRET") or None
    if (key is None) != (webhook is None):
        raise SystemExit("set both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, or neither")
    return key, webhook
