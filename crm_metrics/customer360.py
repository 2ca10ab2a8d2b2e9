"""Customer 360: one customer, everything the company knows about them, as of a date.

Search (``sql/customer_search.sql``) finds customers by id, name or email. For one customer the profile
(``sql/customer_profile.sql``), the timeline of every touchpoint (``sql/customer_timeline.sql``), the
routes they take (``sql/customer_routes.sql``) and the customers they referred
(``sql/customer_referrals.sql``) are read straight from the canonical tables, so each field can be checked
against the rows it came from. Segment, predicted value and churn risk come from the whole-base models
(:mod:`crm_metrics.rfm`, :mod:`crm_metrics.clv`, :mod:`crm_metrics.churn`); :func:`segment_path` and
:func:`next_action` combine them for one person.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from crm_metrics import db
from crm_metrics.formatting import money_exact

SEARCH_LIMIT = 50
TOUCHPOINTS = ("Order", "Campaign", "Ticket", "Survey")


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(cur, text: str, limit: int = SEARCH_LIMIT) -> pd.DataFrame:
    """Customers matching ``text``: the exact id first, then ids starting with it, an exact email, then
    names or emails containing it (case-insensitive; ``%`` and ``_`` are matched literally).

    Grain: one row per customer, at most ``limit``. Columns: customer_id, name, email, city, country,
    signup_date, first_order.
    """
    needle = (text or "").strip().lower()
    if not needle:
        return pd.DataFrame(columns=["customer_id", "name", "email", "city", "country", "signup_date", "first_order"])
    escaped = _like_escape(needle)
    return db.query_df(cur, "customer_search", {"text": needle, "prefix": escaped + "%",
                                                "pattern": "%" + escaped + "%", "limit": int(limit)})


def profile(cur, customer_id: str, as_of: dt.date) -> dict | None:
    """The customer's record and what they did up to ``as_of``: orders (completed ones are revenue;
    returned and cancelled are counted apart), margin (when every order has a cost), average order,
    days since the last order, tickets (open at ``as_of``; ratings of tickets closed by then), surveys
    (latest CSAT and NPS answers) and referrals. ``None`` when no such customer exists."""
    frame = db.query_df(cur, "customer_profile", {"customer_id": customer_id, "as_of": as_of})
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    return {k: (None if _missing(v) else v) for k, v in row.items()}


def _missing(value) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def timeline(cur, customer_id: str, as_of: dt.date, kinds: tuple[str, ...] = TOUCHPOINTS) -> pd.DataFrame:
    """Every touchpoint up to the end of ``as_of``, newest first, keeping the ``kinds`` asked for.

    Grain: one row per order, campaign contact, ticket or survey answer. Columns: happened_at, kind, reference,
    title, detail, amount, score, status.
    """
    frame = db.query_df(cur, "customer_timeline", {"customer_id": customer_id, "as_of": as_of})
    return frame[frame["kind"].isin(kinds)].reset_index(drop=True)


def routes(cur, customer_id: str, as_of: dt.date) -> pd.DataFrame:
    """The channels the customer buys through, hears from us by, and asks for help by.
    Grain: one row per (route, channel). Columns: route, channel, times, revenue, last_used."""
    return db.query_df(cur, "customer_routes", {"customer_id": customer_id, "as_of": as_of})


def referrals(cur, customer_id: str, as_of: dt.date) -> pd.DataFrame:
    """Customers this customer brought in. Grain: one row per referred customer, most revenue first.
    Columns: customer_id, name, signup_date, orders, revenue."""
    return db.query_df(cur, "customer_referrals", {"customer_id": customer_id, "as_of": as_of})


def segment_dates(as_of: dt.date) -> list[dt.date]:
    """The dates a segment path reads: every quarter (90 days) over the year to ``as_of``, oldest first."""
    return [as_of - dt.timedelta(days=days) for days in (360, 270, 180, 90, 0)]


def segment_path(scores_by_date: dict[dt.date, pd.DataFrame], customer_id: str) -> pd.DataFrame:
    """The customer's RFM segment at each date, oldest first, from whole-base RFM frames (customer_id,
    segment, r_score, f_score, m_score). A date where they had not bought yet reads "Not yet a customer".
    Grain: one row per date. Columns: as_of, segment, rfm (e.g. "5-4-3")."""
    rows = []
    for day in sorted(scores_by_date):
        frame = scores_by_date[day]
        hit = frame[frame["customer_id"] == customer_id] if len(frame) else frame
        if len(hit):
            r = hit.iloc[0]
            rows.append({"as_of": day, "segment": r["segment"],
                         "rfm": f"{int(r['r_score'])}-{int(r['f_score'])}-{int(r['m_score'])}"})
        else:
            rows.append({"as_of": day, "segment": "Not yet a customer", "rfm": ""})
    return pd.DataFrame(rows, columns=["as_of", "segment", "rfm"])


def _sentence_for_value(tier: str | None) -> str:
    return {"High": "one of the most valuable customers", "Medium": "a customer of middling value",
            "Low": "a customer of modest value"}.get(tier or "", "a customer")


def next_action(person: dict, segment: str | None, churn_probability: float | None,
                value_tier: str | None) -> tuple[str, str]:
    """A recommended next step and the reason for it, from service state, churn risk, segment and value.

    Rules, first match wins: no completed order yet -> first purchase; an open ticket -> resolve it; a bad
    support experience (mean rating under 3) -> repair it; churn risk of 50% or more -> win back (personal
    for High value, an offer otherwise); Champions and Loyal -> reward and ask for referrals; New and
    Promising -> next purchase; the lapsing segments -> reactivate; else keep in the
    regular programme.
    """
    who = _sentence_for_value(value_tier)
    if not person.get("orders"):
        return ("Send a welcome offer for a first purchase.", "They signed up but have not bought yet.")
    if (person.get("open_tickets") or 0) > 0:
        return ("Resolve the open support ticket, then follow up personally.",
                f"A ticket is still open for {who}; an offer now would read as ignoring the problem.")
    rating = person.get("ticket_satisfaction")
    if rating is not None and rating < 3:
        return ("Call to repair the service experience before any offer.",
                f"Their support ratings average {rating:.1f} of 5; unhappy customers leave sooner.")
    if churn_probability is not None and not math.isnan(churn_probability) and churn_probability >= 0.5:
        if value_tier == "High":
            return ("Reach out personally with a win-back offer.",
                    f"A {churn_probability:.0%} chance of churning, for {who}.")
        return ("Include in the next win-back campaign.", f"A {churn_probability:.0%} chance of churning.")
    if segment in ("Champions", "Loyal"):
        return ("Reward them and invite them to refer a friend.", f"{segment}: they buy often and spend well.")
    if segment in ("New", "Promising", "Potential Loyalists"):
        return ("Encourage the next purchase with a tailored recommendation.",
                f"{segment}: the second and third purchases make a habit.")
    if segment in ("At Risk", "Can't Lose Them", "Need Attention", "Hibernating", "About to Sleep", "Lost"):
        return ("Reactivate with a reminder of what they bought before.",
                f"{segment}: they have not bought for a while.")
    return ("Keep in the regular programme.", "Nothing calls for special attention.")


def model_view(customer_id: str, predictions: pd.DataFrame | None = None,
               scored: pd.DataFrame | None = None) -> dict:
    """One customer's predicted value and churn risk out of the whole-base model outputs.

    ``predictions``: :func:`crm_metrics.clv.predict` (customer_id, clv, clv_low, clv_high, p_alive,
    expected_purchases); ``scored``: :attr:`crm_metrics.churn.ChurnResult.scored` (customer_id,
    churn_probability). Returns clv, clv_low, clv_high, p_alive, expected_purchases, value_tier (High: best
    20% by predicted CLV, Medium: next 30%, Low: the rest; see :func:`crm_metrics.worth.tier`),
    churn_probability (None when not scored) and churn_scored (False: not active in the scoring window, or
    no model).
    """
    from crm_metrics.worth import tier

    out: dict = {"clv": None, "clv_low": None, "clv_high": None, "p_alive": None, "expected_purchases": None,
                 "value_tier": None, "churn_probability": None, "churn_scored": False}
    if predictions is not None and len(predictions):
        mine = predictions["customer_id"] == customer_id
        if mine.any():
            row = predictions[mine].iloc[0]
            for key in ("clv", "clv_low", "clv_high", "p_alive", "expected_purchases"):
                out[key] = None if _missing(row.get(key)) else float(row[key])
            out["value_tier"] = tier(predictions["clv"])[mine].iloc[0]
    if scored is not None and len(scored):
        hit = scored[scored["customer_id"] == customer_id]
        if len(hit) and not _missing(hit.iloc[0]["churn_probability"]):
            out["churn_probability"] = float(hit.iloc[0]["churn_probability"])
            out["churn_scored"] = True
    return out


PROFILE_FIELDS = (("customer_id", "Customer id"), ("name", "Name"), ("email", "Email"),
                  ("signup_date", "Signed up"), ("region", "Region"), ("country", "Country"), ("city", "City"),
                  ("acquisition_channel", "Acquisition channel"), ("acquisition_cost", "Acquisition cost"),
                  ("referred_by", "Referred by"), ("birth_year", "Birth year"), ("gender", "Gender"),
                  ("first_order", "First order"), ("tickets", "Support tickets"), ("open_tickets", "Open tickets"),
                  ("ticket_satisfaction", "Support rating (mean, 1-5)"), ("surveys", "Survey answers"),
                  ("latest_csat", "Latest CSAT (1-5)"), ("latest_nps", "Latest NPS answer (0-10)"),
                  ("referrals", "Customers referred"))


def profile_fields(person: dict) -> pd.DataFrame:
    """The profile as a two-column table of text (field, value), empty fields shown as a dash.
    Grain: one row per field of PROFILE_FIELDS."""
    def text(key, value) -> str:
        if value is None:
            return "—"
        if key == "referred_by":
            return f"{value} ({person.get('referred_by_name') or 'no name on record'})"
        if isinstance(value, (dt.date, pd.Timestamp)):
            return f"{value:%Y-%m-%d}"
        if key == "acquisition_cost":
            return money_exact(value)
        if key == "ticket_satisfaction":
            return f"{value:.1f}"
        return str(value)
    return pd.DataFrame([{"field": label, "value": text(key, person.get(key))} for key, label in PROFILE_FIELDS])


def referred_revenue(referred: pd.DataFrame) -> float:
    """What the customers someone referred have spent (the influence value of the referrer)."""
    return float(referred["revenue"].sum()) if len(referred) else 0.0
