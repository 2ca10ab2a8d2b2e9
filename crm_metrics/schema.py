"""The canonical data model: six tables, described once as data.

The DDL lives in ``sql/create_schema.sql``; this module says what the import needs to know about each
column (its kind of value, whether it is required, which header spellings map to it). A test checks
that both agree.

Conventions
-----------
- ids are text, kept exactly as written (leading zeros, 20-digit ids);
- money is ``DECIMAL(18,2)``, below 10^10 in absolute value (the import refuses more); dates are ``DATE``;
  timestamps are ``TIMESTAMP`` in UTC;
- every canonical table carries ``_import_id``: the import that last wrote the row (for undo).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "text", "date", "timestamp", "money", "int", "score", "bool", "enum"]


@dataclass(frozen=True)
class Column:
    """One canonical column.

    Parameters
    ----------
    name : canonical column name.
    kind : how raw text is parsed ("id" and "text" are stored verbatim after trimming).
    required : rows with an empty value are rejected.
    synonyms : other header spellings (compared after normalising) that map to this column.
    low, high : inclusive range for numeric kinds.
    values : allowed values for ``enum`` (compared case-insensitively, stored lower case).
    default : value used when the column is absent or empty (enums only).
    """

    name: str
    kind: Kind
    required: bool = False
    synonyms: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    values: tuple[str, ...] = ()
    default: str | None = None


OnUnknown = Literal["refuse", "create", "warn"]


@dataclass(frozen=True)
class Reference:
    """A column naming a row of another table (or of its own), and what an import does with a value that table
    does not hold: ``refuse`` the file (a contact of an unknown campaign could never be read), ``create`` a
    minimal row (an order's customer, so that orders alone are enough to start; the import owns it and undo
    removes it), or ``warn`` and keep it (an order's campaign may be imported later)."""

    column: str
    table: str
    on_unknown: OnUnknown
    what: str = ""  # the row named, in words ("referring customer"); default: the column without its _id

    @property
    def noun(self) -> str:
        return self.what or self.column.removesuffix("_id")


@dataclass(frozen=True)
class Table:
    """One canonical table: its columns, primary key and what it means; the rows it names in other tables; the
    query of rules whose breaks an import warns about (``sql/<warnings_query>.sql``)."""

    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)
    references: tuple[Reference, ...] = ()
    warnings_query: str | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


CUSTOMER_ID_SYNONYMS = ("customer", "customerid", "cust_id", "custid", "client_id", "clientid",
                        "customer_no", "customer_number", "member_id")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "customers",
            "One row per customer: who they are and how they were acquired.",
            key=("customer_id",),
            columns=(
                Column("customer_id", "id", True, CUSTOMER_ID_SYNONYMS + ("id",)),
                Column("signup_date", "date", synonyms=("signup", "created", "created_at", "join_date",
                                                        "registration_date", "first_seen")),
                Column("name", "text", synonyms=("full_name", "customer_name", "client_name")),
                Column("email", "text", synonyms=("e_mail", "email_address", "mail")),
                Column("region", "text", synonyms=("area", "sales_region")),
                Column("country", "text", synonyms=("country_code", "nation")),
                Column("city", "text", synonyms=("town",)),
                Column("acquisition_channel", "text", synonyms=("channel", "source", "acquisition_source",
                                                                "utm_source")),
                Column("acquisition_cost", "money", synonyms=("cac", "acquisition_costs"), low=0),
                Column("referred_by", "id", synonyms=("referrer", "referrer_id", "referred_by_id")),
                Column("birth_year", "int", synonyms=("year_of_birth", "birthyear"), low=1900, high=2030),
                Column("gender", "text", synonyms=("sex",)),
            ),
            references=(Reference("referred_by", "customers", "warn", "referring customer"),),
            warnings_query="rule_warnings_customers",
        ),
        Table(
            "orders",
            "One row per order: what a customer bought, when, for how much.",
            key=("order_id",),
            columns=(
                Column("order_id", "id", True, ("order", "orderid", "order_no", "order_number", "invoice",
                                                 "invoiceno", "invoice_no", "invoice_id", "transaction_id")),
                Column("customer_id", "id", True, CUSTOMER_ID_SYNONYMS),
                Column("order_date", "date", True, ("date", "invoicedate", "invoice_date", "purchase_date",
                                                     "order_timestamp", "transaction_date", "created_at")),
                Column("amount", "money", True, ("total", "order_total", "revenue", "value", "sales",
                                                  "amount_paid", "price", "dollar_value")),
                Column("channel", "text", synonyms=("sales_channel", "order_channel")),
                Column("product_category", "text", synonyms=("category", "product_group")),
                Column("quantity", "int", synonyms=("qty", "units", "items", "number_of_items"), low=-1_000_000,
                       high=1_000_000),
                Column("cost", "money", synonyms=("cogs", "cost_of_goods", "unit_cost_total")),
                Column("campaign_id", "id", synonyms=("campaign", "coupon_campaign", "promo_campaign")),
                Column("status", "enum", synonyms=("order_status",),
                       values=("completed", "returned", "cancelled"), default="completed"),
            ),
            references=(Reference("customer_id", "customers", "create"),
                        Reference("campaign_id", "campaigns", "warn")),
            warnings_query="rule_warnings_orders",
        ),
        Table(
            "campaigns",
            "One row per marketing campaign: channel, dates and spend.",
            key=("campaign_id",),
            columns=(
                Column("campaign_id", "id", True, ("campaign", "campaignid", "id")),
                Column("name", "text", True, ("campaign_name", "title")),
                Column("channel", "text", True, ("campaign_channel", "medium")),
                Column("start_date", "date", True, ("start", "launch_date", "begin_date")),
                Column("cost", "money", True, ("spend", "budget_spent", "campaign_cost"), low=0),
                Column("end_date", "date", synonyms=("end", "stop_date")),
                Column("objective", "text", synonyms=("goal", "purpose")),
                Column("target_segment", "text", synonyms=("segment", "audience")),
            ),
        ),
        Table(
            "contacts",
            "One row per campaign contact: a customer reached (or held out) by a campaign on a day.",
            key=("campaign_id", "customer_id", "contact_date"),
            columns=(
                Column("campaign_id", "id", True, ("campaign", "campaignid")),
                Column("customer_id", "id", True, CUSTOMER_ID_SYNONYMS),
                Column("contact_date", "date", True, ("date", "sent_date", "send_date", "contacted_at")),
                Column("group", "enum", synonyms=("test_group", "variant", "arm", "treatment_group"),
                       values=("treatment", "control"), default="treatment"),
                Column("opened", "bool", synonyms=("open", "is_opened")),
                Column("clicked", "bool", synonyms=("click", "is_clicked")),
            ),
            references=(Reference("campaign_id", "campaigns", "refuse"),
                        Reference("customer_id", "customers", "create")),
        ),
        Table(
            "tickets",
            "One row per support ticket.",
            key=("ticket_id",),
            columns=(
                Column("ticket_id", "id", True, ("ticket", "ticketid", "case_id", "case_number")),
                Column("customer_id", "id", True, CUSTOMER_ID_SYNONYMS),
                Column("opened_at", "timestamp", True, ("opened", "created", "created_at", "open_date")),
                Column("closed_at", "timestamp", synonyms=("closed", "resolved_at", "close_date")),
                Column("category", "text", synonyms=("topic", "reason")),
                Column("channel", "text", synonyms=("ticket_channel", "source")),
                Column("satisfaction", "score", synonyms=("csat", "rating", "satisfaction_score"), low=1,
                       high=5),
            ),
            references=(Reference("customer_id", "customers", "create"),),
        ),
        Table(
            "surveys",
            "One row per survey answer: satisfaction (CSAT 1-5) and recommendation (NPS 0-10).",
            key=("customer_id", "survey_date"),
            columns=(
                Column("customer_id", "id", True, CUSTOMER_ID_SYNONYMS),
                Column("survey_date", "date", True, ("date", "answered_at", "response_date")),
                Column("csat", "score", synonyms=("satisfaction", "csat_score"), low=1, high=5),
                Column("nps", "score", synonyms=("nps_score", "recommend", "likelihood_to_recommend"), low=0,
                       high=10),
                Column("comment", "text", synonyms=("comments", "feedback", "verbatim")),
            ),
            references=(Reference("customer_id", "customers", "create"),),
        ),
    )
}

# Order in which tables are loaded and shown: referenced tables first.
TABLE_ORDER: tuple[str, ...] = ("customers", "campaigns", "orders", "contacts", "tickets", "surveys")

_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")


def normalise_header(text: str) -> str:
    """Normalise a header cell for matching: NFKC, no invisible characters, lower case, ``_`` for runs
    of spaces, hyphens, dots and slashes; ``CustomerID`` and ``customer id`` both become ``customerid`` /
    ``customer_id`` and are then compared without underscores too."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).strip().lower()
    text = re.sub(r"[\s\-./]+", "_", text)
    return re.sub(r"[^0-9a-z_]", "", text).strip("_")


def match_column(table: Table, header: str) -> str | None:
    """The canonical column a header cell maps to, or ``None``."""
    norm = normalise_header(header)
    squashed = norm.replace("_", "")
    # Canonical names win over synonyms: "channel" is orders.channel, not a synonym elsewhere.
    for col in table.columns:
        if squashed == col.name.replace("_", ""):
            return col.name
    for col in table.columns:
        if squashed in {s.replace("_", "") for s in col.synonyms}:
            return col.name
    return None
