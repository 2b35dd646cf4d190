"""Who may use the web app: an access token kept beside the database (0600), a session cookie, CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

COOKIE = "closeknit_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def web_home(db_path: Path) -> Path:
    """The web app's own folder, beside the database: its token and the files uploaded to it."""
    return db_path.parent / f"{db_path.name}.web"


def load_or_create_token(home: Path) -> str:
    """The access token in `home/token`, made on first start and readable by its owner only."""
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = home / "token"
    try:
        token = path.read_text(encoding="ascii").strip()
        if len(token) >= 32:
            os.chmod(path, 0o600)
            return token
    except FileNotFoundError:
        pass
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(token + "\n")
    os.chmod(path, 0o600)
    return token


class Keys:
    """What the token opens: the value of the session cookie and the CSRF token, both derived from it,
    so a new token ends every session."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.session = self._derive("session")
        self.csrf = self._derive("csrf")

    def _derive(self, purpose: str) -> str:
        return hmac.new(self.token.encode(), purpose.encode(), hashlib.sha256).hexdigest()

    def is_token(self, value: str | None) -> bool:
        return bool(value) and hmac.compare_digest(value.encode(), self.token.encode())  # type: ignore[union-attr]

    def is_session(self, value: str | None) -> bool:
        return bool(value) and hmac.compare_digest(value.encode(), self.session.encode())  # type: ignore[union-attr]

    def is_csrf(self, value: str | None) -> bool:
        return bool(value) and hmac.compare_digest(value.encode(), self.csrf.encode())  # type: ignore[union-attr]
