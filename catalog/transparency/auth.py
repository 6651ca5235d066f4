"""Cookies and tokens signed with itsdangerous under the workspace's secret key.

- The session cookie carries only a random session token (signed); the session
  itself lives in the database (``sessions.py``), so it can be ended server-side.
- The device cookie marks a browser where an officer signed in before: a lockout
  caused by someone else's wrong passwords does not apply to it (``throttle.py``).
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

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SESSION_COOKIE = "ws_session"
DEVICE_COOKIE = "ws_device"
FORM_COOKIE = "ws_form"
SESSION_MAX_AGE = 12 * 3600  # the absolute limit of a session (sessions.ABSOLUTE)
DEVICE_MAX_AGE = 180 * 86400
FORM_MAX_AGE = 4 * 3600


class Signer:
    """Everything the workspace signs."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self._sessions = URLSafeTimedSerializer(secret, salt="workspace-session-token")
        self._devices = URLSafeTimedSerializer(secret, salt="workspace-device")
        self._forms = URLSafeTimedSerializer(secret, salt="workspace-form")

    # ------------------------------------------------------------ sessions

    def session_cookie(self, token: str) -> str:
        return self._sessions.dumps({"s": token})

    def read_session(self, cookie: str | None) -> str | None:
        """The session token in a cookie, or None if it is missing, forged or too old."""
        data = self._load(self._sessions, cookie, SESSION_MAX_AGE)
        token = data.get("s") if isinstance(data, dict) else None
        return token if isinstance(token, str) and 20 <= len(token) <= 100 else None

    def device_cookie(self, user_id: int) -> str:
        return self._devices.dumps({"u": user_id, "d": secrets.token_urlsafe(16)})

    def read_device(self, cookie: str | None) -> tuple[int, str] | None:
        """(user id, device id) of a device cookie, or None."""
        data = self._load(self._devices, cookie, DEVICE_MAX_AGE)
        if not isinstance(data, dict):
            return None
        user, device = data.get("u"), data.get("d")
        if isinstance(user, int) and isinstance(device, str) and len(device) <= 40:
            return user, device
        return None

    @staticmethod
    def _load(serializer: URLSafeTimedSerializer, cookie: str | None, max_age: int) -> object:
        if not cookie or len(cookie) > 400:
            return None
        try:
            return serializer.loads(cookie, max_age=max_age)
        except (BadSignature, SignatureExpired, ValueError):
            return None

    # --------------------------------------------------------- public forms

    def form_token(self, nonce: str) -> str:
        return self._forms.dumps({"n": nonce, "t": time.time()})

    def check_form_token(self, token: str | None, nonce: str | None, min_age: float) -> str | None:
        """None when the token is good; else why not: ``expired``, ``forged`` or ``too-fast``."""
        # A signed token is ASCII: anything else (a lone surrogate from JSON) is not one.
        if not token or not isinstance(token, str) or not token.isascii() or not nonce:
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
        return self.keyed(address)

    def keyed(self, value: str) -> str:
        """A keyed hash of ``value`` (an address, an e-mail): enough to count, useless to identify."""
        data = value.encode("utf-8", "surrogatepass")
        return hmac.new(self.secret.encode(), data, hashlib.sha256).hexdigest()[:32]


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))
