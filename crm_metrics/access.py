"""Who may do what: roles, the actions each allows, and personal data masked for those who may not see it.

Three roles (a company runs one server for everyone):

- **viewer** (executives): every analysis page; names, emails and other personal fields masked
  (``j***@example.com``); exports without personal fields.
- **editor** (marketers): a viewer's rights, plus imports, undoing their own imports, and exports with
  contact fields.
- **admin**: everything, including undoing anyone's import, resetting to the sample data, and managing
  users.

Enforcement lives here and in the functions that change data, not in the pages: the import, undo and
reset functions take the acting :class:`Principal` and call :func:`require`; a viewer's database cursor
is switched by :func:`restrict` to the ``masked`` schema (``sql/create_schema.sql``), whose views of
``customers`` and ``surveys`` mask the personal columns, so every query run for a viewer reads masked
values whatever page or path asked for it. The permission table is data (``PERMISSIONS``): the README's
table is generated from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crm_metrics import db

ROLES = ("viewer", "editor", "admin")

# action -> (what it means, roles allowed). Order is the README's.
PERMISSIONS: dict[str, tuple[str, frozenset[str]]] = {
    "view": ("open every analysis page", frozenset(ROLES)),
    "see_personal": ("see names, emails, birth years, genders and survey comments", frozenset({"editor", "admin"})),
    "export_contacts": ("export lists with contact fields", frozenset({"editor", "admin"})),
    "import": ("import CSV files", frozenset({"editor", "admin"})),
    "save_source": ("save a confirmed column mapping as a source for everyone's next import",
                    frozenset({"editor", "admin"})),
    "set_targets": ("set KPI targets and alerts", frozenset({"editor", "admin"})),
    "undo_own_import": ("undo their own imports", frozenset({"editor", "admin"})),
    "undo_any_import": ("undo anyone's import", frozenset({"admin"})),
    "reset_sample": ("reset to the sample data or switch a workshop scenario", frozenset({"admin"})),
    "manage_users": ("manage users", frozenset({"admin"})),
}

# Columns holding personal data, wherever a report returns them (customers and surveys carry them).
PERSONAL_COLUMNS = ("name", "email", "birth_year", "gender", "comment")


class AccessDenied(PermissionError):
    """The acting user's role does not allow the action."""


@dataclass(frozen=True)
class Principal:
    """The user acting (``user``: a sign-in name or email) and their role."""

    user: str
    role: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; roles are {', '.join(ROLES)}")


# The single user of a laptop install without sign-in, and the command line (which needs file access).
LOCAL_ADMIN = Principal("local", "admin")


def can(principal: Principal, action: str) -> bool:
    """Whether ``principal``'s role allows ``action`` (a key of PERMISSIONS)."""
    if action not in PERMISSIONS:
        raise ValueError(f"unknown action {action!r}")
    return principal.role in PERMISSIONS[action][1]


def require(principal: Principal, action: str) -> None:
    """Raise :class:`AccessDenied` unless ``principal`` may do ``action``."""
    if not can(principal, action):
        raise AccessDenied(f"{principal.user} is signed in as {principal.role}, and a {principal.role} may not "
                           f"{PERMISSIONS[action][0]}.")


def restrict(cur, principal: Principal):
    """Make ``cur`` (a cursor: DuckDB settings are per cursor) read masked personal data unless
    ``principal`` may see it; returns ``cur``."""
    db.execute(cur, "use_masked_views" if not can(principal, "see_personal") else "use_plain_tables")
    return cur


def mask_email(value: object) -> object:
    """``jane.doe@example.com`` -> ``j***@example.com`` (the same rule as the masked SQL views)."""
    if not isinstance(value, str):
        return value
    local, at, domain = value.partition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def mask_name(value: object) -> object:
    """``Jane Doe`` -> ``J***``."""
    if not isinstance(value, str) or value == "":
        return value
    return value[0] + "***"


def for_export(frame: pd.DataFrame, principal: Principal) -> pd.DataFrame:
    """``frame`` as ``principal`` may export it: without the personal columns unless they may export
    contact fields."""
    if can(principal, "export_contacts"):
        return frame
    return frame.drop(columns=[c for c in frame.columns if c in PERSONAL_COLUMNS])


def permission_table() -> pd.DataFrame:
    """The permissions as a table (one row per action, a column per role), for the README and the app."""
    rows = [{"action": label, **{role: role in roles for role in ROLES}} for label, roles in PERMISSIONS.values()]
    return pd.DataFrame(rows)


def markdown_permissions() -> str:
    """The permission table as the README prints it (a test compares them)."""
    lines = ["| A user may … | " + " | ".join(ROLES) + " |", "|---|" + ":---:|" * len(ROLES)]
    for label, roles in PERMISSIONS.values():
        lines.append(f"| {label} | " + " | ".join("yes" if role in roles else "–" for role in ROLES) + " |")
    return "\n".join(lines)
