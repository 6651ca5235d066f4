"""Sessions, CSRF tokens and the request form's anti-spam token, all signed with
itsdangerous under the workspace's secret key.

- The session cookie holds the user id, a CSRF secret and a fingerprint of the
  password hash: changing a password or disabling an account ends old sessions.
- Every form carries the session's CSRF token (officers) or a signed form token
  bound to a cookie nonce (the public form: double submit, no session needed).
- The form token also records when the form was shown: a form sent back faster
  than a person can type is refused (anti-spam, with a honeypot field).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SESSION_COOKIE = "ws_session"
FORM_COOKIE = "ws_form"
SESSION_MAX_AGE = 12 * 3600
FORM_MAX_AGE = 4 * 3600


@dataclass(frozen=True)
class SessionData:
    user_id: int
    csrf: str
    fingerprint: str


def fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class Signer:
    """Everything the workspace signs."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self._sessions = URLSafeTimedSerializer(secret, salt="workspace-session")
        self._forms = URLSafeTimedSerializer(secret, salt="workspace-form")

    # ------------------------------------------------------------ sessions

    def session_cookie(self, user_id: int, password_hash: str) -> str:
        data = {"u": user_id, "c": secrets.token_urlsafe(24), "f": fingerprint(password_hash)}
        return self._sessions.dumps(data)

    def read_session(self, cookie: str | None) -> SessionData | None:
        if not cookie:
            return None
        try:
            data = self._sessions.loads(cookie, max_age=SESSION_MAX_AGE)
        except (BadSignature, SignatureExpired):
            return None
        try:
            return SessionData(int(data["u"]), str(data["c"]), str(data["f"]))
        except (KeyError, TypeError, ValueError):
            return None

    # --------------------------------------------------------- public forms

    def form_token(self, nonce: str) -> str:
        return self._forms.dumps({"n": nonce, "t": time.time()})

    def check_form_token(self, token: str | None, nonce: str | None, min_age: float) -> str | None:
        """None when the token is good; else why not: ``expired``, ``forged`` or ``too-fast``."""
        if not token or not nonce:
            return "forged"
        try:
            data = self._forms.loads(token, max_age=FORM_MAX_AGE)
        except SignatureExpired:
            return "expired"
        except BadSignature:
            return "forged"
        if not isinstance(data, dict) or not hmac.compare_digest(str(data.get("n")), nonce):
            return "forged"
        if time.time() - float(data.get("t", 0)) < min_age:
            return "too-fast"
        return None

    def client_hash(self, address: str) -> str:
        """A keyed hash of the client address: enough to count, useless to identify."""
        return hmac.new(self.secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))
