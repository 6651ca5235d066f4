"""Settings of the transparency workspace, read from the environment once per app."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where the workspace keeps its state and how it sends mail."""

    database_url: str
    data_dir: Path
    secret_key: str
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "transparencia@localhost"
    public_url: str = "http://127.0.0.1:8000"
    filings_per_hour: int = 10
    min_fill_seconds: float = 3.0

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "adjuntos"


def _secret(data_dir: Path) -> str:
    """The signing key: ``CATALOG_SECRET_KEY``, else one kept in the data folder.

    Several hosts must share ``CATALOG_SECRET_KEY``; one host's workers share the file.
    """
    configured = os.environ.get("CATALOG_SECRET_KEY")
    if configured:
        return configured
    path = data_dir / "secret.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker wrote it first
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def from_env(**overrides: object) -> Settings:
    """Settings from the environment; keyword arguments win (tests, bench)."""
    data_dir = Path(
        str(overrides.pop("data_dir", None) or os.environ.get("CATALOG_DATA_DIR", "var"))
    )
    database_url = str(
        overrides.pop("database_url", None)
        or os.environ.get("DATABASE_URL")
        or f"sqlite:///{(data_dir / 'transparencia.db').resolve()}"
    )
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "secret_key": overrides.pop("secret_key", None) or _secret(data_dir),
        "smtp_host": os.environ.get("CATALOG_SMTP_HOST") or None,
        "smtp_port": int(os.environ.get("CATALOG_SMTP_PORT") or 25),
        "smtp_user": os.environ.get("CATALOG_SMTP_USER") or None,
        "smtp_password": os.environ.get("CATALOG_SMTP_PASSWORD") or None,
        "smtp_starttls": os.environ.get("CATALOG_SMTP_STARTTLS", "") in ("1", "true", "yes"),
        "mail_from": os.environ.get("CATALOG_MAIL_FROM") or "transparencia@localhost",
        "public_url": (os.environ.get("CATALOG_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
        "filings_per_hour": int(os.environ.get("CATALOG_FILINGS_PER_HOUR") or 10),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
