"""The currency the amounts are in: one per database, a setting stored with the data (``crm_settings``), so
every page, export and sentence writes the same symbol. The app and the CLI read it when they open the
database (:func:`load`) and the formatters use it (:func:`symbol`); a process serves one database at a time.
``CRM_CURRENCY`` gives the currency where the database has none stored (the Spark lake has no settings).
"""

from __future__ import annotations

import os

import duckdb

from crm_metrics import db
from crm_metrics.access import LOCAL_ADMIN, Principal, require

# ISO 4217 code -> the symbol written before an amount (a code with a space where no symbol is unambiguous)
SYMBOLS: dict[str, str] = {
    "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "CN¥", "INR": "₹", "BRL": "R$", "CAD": "CA$",
    "AUD": "A$", "NZD": "NZ$", "MXN": "MX$", "CHF": "CHF ", "SEK": "SEK ", "NOK": "NOK ", "DKK": "DKK ",
    "PLN": "zł ", "CZK": "CZK ", "ZAR": "R ", "KRW": "₩", "SGD": "S$", "HKD": "HK$", "TRY": "₺",
}
DEFAULT = "USD"
_KEY = "currency"
_current = DEFAULT


def symbol() -> str:
    """The symbol of the currency in use ("$", "£", "R$", "CHF ")."""
    return SYMBOLS[_current]


def code() -> str:
    """The ISO code of the currency in use ("USD")."""
    return _current


def use(currency: str) -> None:
    """Write amounts in ``currency`` from now on (in this process)."""
    global _current
    _current = _valid(currency)


def _valid(currency: str) -> str:
    value = (currency or "").strip().upper()
    if value not in SYMBOLS:
        raise ValueError(f"unknown currency {currency!r}; one of {', '.join(sorted(SYMBOLS))}")
    return value


def stored(cur) -> str:
    """The currency stored with the data (``cur`` None: none stored, as in the Spark lake), else ``CRM_CURRENCY``,
    else US dollars."""
    fallback = os.environ.get("CRM_CURRENCY", DEFAULT).strip().upper() or DEFAULT
    try:
        value = db.scalar(cur, "setting_value", {"key": _KEY}) if cur is not None else None
    except duckdb.Error:  # a database without the settings table
        value = None
    return value if value in SYMBOLS else (fallback if fallback in SYMBOLS else DEFAULT)


def load(cur) -> str:
    """Use the currency stored with the data; returns its code."""
    use(stored(cur))
    return _current


def store(con, currency: str, actor: Principal = LOCAL_ADMIN) -> None:
    """Record that the amounts are in ``currency`` (an editor's or admin's choice) and use it."""
    require(actor, "import")
    value = _valid(currency)
    with db.transaction(con) as cur:
        db.execute(cur, "save_setting", {"key": _KEY, "value": value})
    use(value)
