"""Sign-in configuration: local accounts with hashed passwords, and the mapping of users to roles.

How people sign in is configuration, not code (``CRM_AUTH``):

- ``none`` (the default): no sign-in; the single user of a laptop install is the local admin, so the
  first run stays one command.
- ``local``: accounts in a JSON file the admin manages (``CRM_USERS``, default ``data/users.json``),
  for workshops without an identity provider. Passwords are stored as scrypt hashes with a random
  salt, never in plain text; a failed sign-in does not say whether the name or the password was wrong.
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
import os
import secrets
import tempfile
import tomllib
from pathlib import Path

from crm_metrics.access import ROLES, Principal

AUTH_MODES = ("none", "local", "oidc")
# scrypt cost: 2^14 iterations, 8 MiB of memory per hash (OWASP's minimum is N=2^17 with r=8 for
# interactive logins on servers; 2^14 keeps a workshop laptop's sign-in under 0.1 s).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 8


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
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return "$".join(["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P),
                     base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the stored hash (compared in constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                                p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# Checked against when the name is unknown, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_hex(16))


def _load(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
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
    """The principal for a correct name and password, else None (the same None for either mistake)."""
    entry = _load(Path(path or users_path())).get(name.strip())
    if entry is None:
        verify_password(password, _DUMMY_HASH)
        return None
    if not verify_password(password, entry["password"]):
        return None
    return Principal(name.strip(), entry["role"])


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
