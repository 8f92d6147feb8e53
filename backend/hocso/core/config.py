"""Settings read from the environment, with a signing secret generated and kept on first run."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOCSO_", extra="ignore", populate_by_name=True)

    environment: str = Field(default="development", description="development | test | production")
    data_dir: Path = Field(default=Path("var"), description="Where the SQLite file and the kept secret live")
    content_dir: Path = Path("content")
    frontend_dir: Path = Path("frontend/dist")
    # DATABASE_URL is the conventional name, read without the HOCSO_ prefix.
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    secret_key: str | None = None

    access_token_minutes: int = Field(default=15, ge=1, le=60)
    refresh_token_days: int = Field(default=14, ge=1, le=90)
    # However often a sign-in's refresh token rotates, the chain ends this long after the password was typed.
    refresh_family_days: int = Field(default=30, ge=1, le=365)

    # Sign-in and activation are counted apart, each with these numbers (see core/ratelimit.py).
    login_attempts_per_identifier: int = Field(default=5, ge=1)
    login_attempts_per_ip: int = Field(
        default=30, ge=1, description="failures from one address before only identifiers with no recent failure get through"
    )
    login_attempts_per_ip_max: int = Field(default=300, ge=1, description="failures from one address before it waits")
    login_window_seconds: int = Field(default=900, ge=1)
    register_attempts_per_ip: int = Field(default=10, ge=1)
    register_attempts_per_identifier: int = Field(default=3, ge=1)

    # Password reset: codes sent per email/phone and per address each hour; a code's life and tries.
    password_reset_requests_per_identifier: int = Field(default=3, ge=1)
    password_reset_requests_per_ip: int = Field(default=30, ge=1)
    password_reset_code_minutes: int = Field(default=15, ge=1, le=1440)
    password_reset_code_tries: int = Field(default=5, ge=1, le=20)
    # A code an agency admin hands over on paper lives longer, and is longer.
    agency_reset_code_hours: int = Field(default=72, ge=1, le=720)

    # Email (SMTP) for reset codes; unset host = no email is sent.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "Hocso <no-reply@localhost>"
    smtp_starttls: bool = True
    # SMS for reset codes: a webhook that gets {"to", "text"} as JSON; unset = no SMS is sent.
    sms_webhook_url: str | None = None
    sms_webhook_token: str | None = None

    # Lesson events one POST /progress/events may carry (the PWA sends 200 at a time).
    max_events_per_batch: int = Field(default=500, ge=1)
    # How long a worker serves modules from memory before it asks the database whether content was reloaded.
    content_recheck_seconds: float = Field(default=2.0, ge=0, le=300)
    run_jobs: bool = Field(default=True, description="Run queued jobs (large imports) in this serving process")
    month_snapshots: bool = Field(
        default=True, description="Count each agency's figures when a month ends (the lagging units' trends)"
    )
    # How far a phone's own clock is believed around the moment a request arrives (API.md, "Client time").
    client_time_past_days: int = Field(default=30, ge=0, le=3660)
    client_time_future_minutes: int = Field(default=5, ge=0, le=1440)

    # The address people reach Hocso at: verification links, QR codes and credential ids are made from it.
    public_url: str = Field(default="http://localhost:8000", description="Public base URL, without a trailing slash")
    # Where the keys that sign Open Badges credentials live (made on first run; the newest signs, all verify).
    issuer_key_dir: Path | None = None
    # DejaVu Sans (Debian's fonts-dejavu-core) draws Vietnamese diacritics in certificate PDFs.
    pdf_font_dir: Path = Path("/usr/share/fonts/truetype/dejavu")
    # Requests per minute from one address to the public verification endpoints.
    verify_requests_per_minute: int = 60

    # xAPI: with an endpoint set (e.g. https://lrs.example.vn/xAPI/), stored learning is sent there as statements.
    xapi_endpoint: str | None = None
    xapi_username: str | None = None
    xapi_password: str | None = None
    xapi_timeout_seconds: float = 10.0

    # Requests holding a database connection at once, per worker process; the rest wait their turn.
    db_connections: int = Field(default=8, ge=1, le=32)
    # How long a request waits for its turn (or SQLite's write lock) before it gets 503 with Retry-After.
    db_wait_seconds: float = Field(default=10, gt=0, le=120)

    @model_validator(mode="after")
    def _require_secret_in_production(self) -> Settings:
        if self.environment == "production" and not self.secret_key:
            raise ValueError("HOCSO_SECRET_KEY must be set in production")
        if self.secret_key is not None and len(self.secret_key) < 32:
            raise ValueError("HOCSO_SECRET_KEY must be at least 32 characters")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        url = self.database_url or f"sqlite:///{(self.data_dir / 'hocso.db').as_posix()}"
        # Accept the URL forms that hosting platforms hand out and use the psycopg 3 driver for them.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @property
    def base_url(self) -> str:
        return self.public_url.rstrip("/")

    @property
    def issuer_keys_path(self) -> Path:
        return self.issuer_key_dir or self.data_dir / "issuer_keys"

    def signing_key(self) -> str:
        """Returns the JWT secret: from the environment, else the one kept in data_dir (made on first run)."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Written aside, then linked into place: link() fails if the file exists, so when two workers
        # start at once the first key wins and the other reads it, never a half-written file.
        tmp = self.data_dir / f".secret_key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
