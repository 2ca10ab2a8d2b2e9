"""Sign-in configuration: local accounts with hashed passwords, and the mapping of users to roles.

How people sign in is configuration, not code (``CRM_AUTH``):

- ``none`` (the default): no sign-in; the single user of a laptop install is the local admin, so the
  first run stays one command.
- ``local``: accounts in a JSON file the admin manages (``CRM_USERS``, default ``data/users.json``),
  for workshops without an identity provider. Passwords are stored as scrypt hashes with a random
  salt, never in plain text; a failed sign-in does not say whether the name or the password was wrong;
  failures are limited per name and per address (:class:`SignInLimits`); a signed session token
  (:func:`session_token`) keeps a browser signed in across reloads and shared links.
- ``oidc``: OpenID Connect through Streamlit's ``st.login`` (provider set in ``.streamlit/secrets.toml``);
  the signed-in email gets its role from a TOML file (``CRM_ROLES``, default ``data/roles.toml``)::

      default_role = "viewer"
      [roles]
      "ceo@example.com" = "viewer"
      "anna@example.com" = "editor"
      "it@example.com" = "admin"
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import tempfile
import threading
import time
import tomllib
from collections import deque
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from crm_metrics.access import ROLES, Principal

AUTH_MODES = ("none", "local", "oidc")
# scrypt cost: OWASP's minimum for server logins, N=2^17 with r=8 (128 MiB and about 0.5 s per hash on a
# 2-core machine). A hash stored with a lower cost still verifies and is stored again at this cost on the
# next sign-in.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
SCRYPT_MAXMEM = 256 * 1024 * 1024
MIN_PASSWORD_LENGTH = 8
LOG = logging.getLogger("crm_metrics.signin")


class AccountError(ValueError):
    """A user-management request that cannot be carried out (unknown user, bad role, short password)."""


def auth_mode() -> str:
    mode = os.environ.get("CRM_AUTH", "none").strip().lower() or "none"
    if mode not in AUTH_MODES:
        raise ValueError(f"CRM_AUTH must be one of {', '.join(AUTH_MODES)}, not {mode!r}")
    return mode


def users_path() -> Path:
    return Path(os.environ.get("CRM_USERS", "data/users.json"))


def roles_path() -> Path:
    return Path(os.environ.get("CRM_ROLES", "data/roles.toml"))


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64), with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            maxmem=SCRYPT_MAXMEM)
    return "$".join(["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P),
                     base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the stored hash (compared in constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        if int(n) > SCRYPT_N or int(r) > SCRYPT_R or int(p) > SCRYPT_P:
            return False  # a cost above ours is not a hash this program wrote (and would take the server's memory)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                                p=int(p), dklen=len(expected), maxmem=SCRYPT_MAXMEM)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _weaker_than_now(stored: str) -> bool:
    parts = stored.split("$")
    return len(parts) != 6 or (int(parts[1]), int(parts[2]), int(parts[3])) < (SCRYPT_N, SCRYPT_R, SCRYPT_P)


@cache
def _dummy_hash() -> str:
    """Checked against when the name is unknown, so that a wrong name takes as long as a wrong password."""
    return hash_password(secrets.token_hex(16))


def _load(path: Path) -> dict[str, dict[str, str]]:
    try:
        info = path.stat()
    except FileNotFoundError:
        return {}
    # a copy: callers change what they get and save it
    return {name: dict(entry) for name, entry in _load_version(path, (info.st_ino, info.st_mtime_ns,
                                                                      info.st_size)).items()}


@lru_cache(maxsize=8)
def _load_version(path: Path, stamp: tuple[int, int, int]) -> dict[str, dict[str, str]]:
    """The accounts file as it was at ``stamp`` (inode, modification time, size; every save replaces the file):
    read once per change, since every privileged action reads the acting user's current role from it."""
    return json.loads(path.read_text(encoding="utf-8")).get("users", {})


def _save(path: Path, users: dict[str, dict[str, str]]) -> None:
    """Write atomically (a crash never leaves half a file), readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".users-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"users": users}, handle, indent=2, sort_keys=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def authenticate(name: str, password: str, path: Path | str | None = None) -> Principal | None:
    """The principal for a correct name and password, else None (the same None for either mistake). A hash
    stored at a lower cost than today's is stored again at today's cost."""
    path = Path(path or users_path())
    entry = _load(path).get(name.strip())
    if entry is None:
        verify_password(password, _dummy_hash())
        return None
    if not verify_password(password, entry["password"]):
        return None
    if _weaker_than_now(entry["password"]):
        users = dict(_load(path))
        users[name.strip()] = {**entry, "password": hash_password(password)}
        _save(path, users)
    return Principal(name.strip(), entry["role"])


def current_principal(name: str, path: Path | str | None = None) -> Principal | None:
    """The account as it is now: its current role, or None once removed. Every privileged action asks, so
    that a role change or a removal reaches sessions already signed in."""
    entry = _load(Path(path or users_path())).get(name)
    return Principal(name, entry["role"]) if entry else None


# ---- sign-in limits ---------------------------------------------------------------------------------------

@dataclass
class SignInLimits:
    """Failed sign-ins counted per account name and per network address over a sliding window: past the limit,
    sign-in is refused (without checking the password) until the window has moved on. Names are counted whether
    or not an account has them, so a refusal says nothing about which names exist. Each failure and each refusal
    is logged (logger ``crm_metrics.signin``)."""

    per_account: int = 5
    per_address: int = 20
    window_seconds: float = 15 * 60
    _failures: dict[tuple[str, str], deque] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_seconds(self, name: str, address: str, now: float | None = None) -> float:
        """0 when a sign-in may be tried now, else how long until it may."""
        now = time.time() if now is None else now
        waits = [self._wait(("account", name.strip().lower()), self.per_account, now),
                 self._wait(("address", address), self.per_address, now)]
        wait = max(waits)
        if wait:
            LOG.warning("sign-in refused for %r from %s: too many failures, %.0f s to wait", name, address, wait)
        return wait

    def failed(self, name: str, address: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        LOG.warning("sign-in failed for %r from %s", name, address)
        with self._lock:
            for key in (("account", name.strip().lower()), ("address", address)):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, name: str, address: str) -> None:
        LOG.info("signed in: %r from %s", name, address)
        with self._lock:
            self._failures.pop(("account", name.strip().lower()), None)

    def _wait(self, key: tuple[str, str], limit: int, now: float) -> float:
        with self._lock:
            times = self._failures.get(key)
            if not times:
                return 0.0
            while times and times[0] <= now - self.window_seconds:
                times.popleft()
            return times[0] + self.window_seconds - now if len(times) >= limit else 0.0


LIMITS = SignInLimits()  # one server process, one count


# ---- session tokens ------------------------------------------------------------------------------------------

SESSION_HOURS = 12


def session_hours() -> float:
    return float(os.environ.get("CRM_SESSION_HOURS") or SESSION_HOURS)


def _secret(path: Path) -> bytes:
    """The key that signs session tokens: ``CRM_SECRET``, else a random key kept beside the accounts file
    (readable by its owner only), made on first use."""
    if os.environ.get("CRM_SECRET"):
        return os.environ["CRM_SECRET"].encode("utf-8")
    key_file = path.parent / ".session_secret"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
    return key_file.read_bytes()


def _signature(key: bytes, name: str, expires: int, password_hash: str) -> str:
    # the stored hash is signed in, so that a new password or a removed account ends the sessions it had
    message = f"{name}\n{expires}\n{hashlib.sha256(password_hash.encode()).hexdigest()}".encode()
    return base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode().rstrip("=")


def session_token(name: str, path: Path | str | None = None, now: float | None = None) -> str:
    """A signed token saying ``name`` signed in, valid for :func:`session_hours` (kept by the browser in a
    cookie, so that a reload, a typed URL or a shared link opens signed in)."""
    path = Path(path or users_path())
    entry = _load(path)[name]
    expires = int((time.time() if now is None else now) + session_hours() * 3600)
    encoded = base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")
    return f"{encoded}.{expires}.{_signature(_secret(path), name, expires, entry['password'])}"


def principal_from_token(token: str | None, path: Path | str | None = None,
                         now: float | None = None) -> Principal | None:
    """The account a session token names, with its current role; None when the token is missing, forged,
    expired, or its account was removed or given a new password."""
    if not token:
        return None
    path = Path(path or users_path())
    try:
        encoded, expires_text, signature = token.split(".")
        name = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        expires = int(expires_text)
    except (ValueError, UnicodeDecodeError):
        return None
    entry = _load(path).get(name)
    if entry is None or expires < (time.time() if now is None else now):
        return None
    if not hmac.compare_digest(signature, _signature(_secret(path), name, expires, entry["password"])):
        return None
    return Principal(name, entry["role"])


def list_users(path: Path | str | None = None) -> list[dict[str, str]]:
    """Names and roles (never the hashes), sorted by name."""
    return [{"user": name, "role": entry["role"]} for name, entry in sorted(_load(Path(path or users_path())).items())]


def add_user(name: str, role: str, password: str, path: Path | str | None = None) -> None:
    """Create or replace a local account."""
    name = name.strip()
    if not name or any(ch.isspace() for ch in name):
        raise AccountError("A user name is one word with no spaces.")
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    path = Path(path or users_path())
    users = _load(path)
    users[name] = {"role": role, "password": hash_password(password)}
    _save(path, users)


def set_role(name: str, role: str, path: Path | str | None = None) -> None:
    path = Path(path or users_path())
    users = _load(path)
    if name not in users:
        raise AccountError(f"No user named {name!r}.")
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    users[name]["role"] = role
    _save(path, users)


def remove_user(name: str, path: Path | str | None = None) -> None:
    path = Path(path or users_path())
    users = _load(path)
    if users.pop(name, None) is None:
        raise AccountError(f"No user named {name!r}.")
    _save(path, users)


def role_for_email(email: str | None, path: Path | str | None = None) -> str:
    """The role an OpenID Connect user gets: listed in the roles file, else its ``default_role``
    (viewer when the file does not say)."""
    path = Path(path or roles_path())
    config = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    roles = {k.lower(): v for k, v in config.get("roles", {}).items()}
    role = roles.get((email or "").strip().lower(), config.get("default_role", "viewer"))
    if role not in ROLES:
        raise ValueError(f"{path}: role {role!r} is not one of {', '.join(ROLES)}")
    return role
