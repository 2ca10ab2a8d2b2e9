"""A seeded generator of realistic CRM data for workshops, demos and benchmarks.

The customer base follows the processes the prediction models assume, so that the models have
something true to recover:

- each customer buys at a personal rate ``lambda ~ Gamma`` and, after every purchase, drops out with a
  personal probability ``p ~ Beta`` (the BG/NBD story, Fader, Hardie & Lee 2005);
- order values are Gamma distributed around a personal mean drawn from a Gamma (the Gamma-Gamma story,
  Fader & Hardie 2013), giving a long-tailed value distribution;
- a latent satisfaction drives ticket scores, survey answers and the dropout probability, so low
  satisfaction raises churn; a support ticket that goes badly loses some customers on the spot;
- purchases thin out by season (November and December are busy);
- campaigns reach random treatment and control groups; each treated customer makes an extra order inside
  the 14-day window with the campaign's planted probability. The realised true lift (what the campaign
  caused, counted against each treated customer's own counterfactual) is returned in ``truth``.

Everything is drawn from one ``numpy.random.Generator`` seeded by the caller; the same parameters give
the same rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crm_metrics import db
from crm_metrics.access import LOCAL_ADMIN, Principal, require
from crm_metrics.schema import TABLE_ORDER

REGIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "North America": {"United States": ("New York", "Chicago", "Austin", "Seattle"),
                      "Canada": ("Toronto", "Vancouver")},
    "Europe": {"United Kingdom": ("London", "Manchester"), "Germany": ("Berlin", "Munich"),
               "France": ("Paris", "Lyon"), "Spain": ("Madrid", "Barcelona")},
    "Asia Pacific": {"Australia": ("Sydney", "Melbourne"), "Japan": ("Tokyo", "Osaka"),
                     "Singapore": ("Singapore",)},
    "Latin America": {"Brazil": ("São Paulo", "Rio de Janeiro"), "Mexico": ("Mexico City", "Guadalajara")},
}
REGION_SHARE = (0.38, 0.32, 0.18, 0.12)

# channel: (share of new customers, mean acquisition cost in $)
ACQUISITION = {
    "Organic search": (0.28, 8.0), "Paid search": (0.20, 48.0), "Social": (0.17, 36.0),
    "Referral": (0.12, 15.0), "Email": (0.09, 6.0), "Affiliate": (0.08, 30.0), "Events": (0.06, 85.0),
}
ORDER_CHANNELS = ("web", "app", "store", "phone")
ORDER_CHANNEL_SHARE = (0.52, 0.22, 0.21, 0.05)
CATEGORIES = ("Electronics", "Home", "Apparel", "Beauty", "Sports", "Books", "Grocery")
CATEGORY_SHARE = (0.12, 0.18, 0.22, 0.12, 0.1, 0.1, 0.16)
CATEGORY_PRICE = (2.2, 1.3, 1.0, 0.7, 1.1, 0.5, 0.6)  # relative basket size

# campaign channel: (cost per contact $, fixed cost $, reports opens/clicks)
CAMPAIGN_CHANNELS = {
    "Email": (0.05, 800.0, True), "SMS": (0.12, 400.0, True), "Direct mail": (1.40, 2500.0, False),
    "Social ads": (0.70, 1500.0, False), "Push": (0.01, 300.0, True),
}
OBJECTIVES = {
    "Win-back": "At Risk", "Retention": "Loyal", "Upsell": "Champions", "Reactivation": "Hibernating",
    "Cross-sell": "Potential Loyalists", "Onboarding": "New",
}
# How strongly latent satisfaction scales the dropout probability: one standard deviation less
# satisfaction multiplies it by exp(SATISFACTION_DROPOUT).
SATISFACTION_DROPOUT = 0.45
# Chance that a customer whose support experience scored 1 or 2 never orders again (scaled by the churn
# multiplier): the planted, time-local churn driver the churn model should name.
LEAVE_AFTER_BAD_TICKET = 0.6
TICKET_CATEGORIES = ("Delivery", "Billing", "Product quality", "Returns", "Account")
TICKET_CHANNELS = ("Email", "Phone", "Chat")

FIRST = ("Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Sofia", "Mateo", "Mia", "Leon", "Chloé",
         "José", "Zoë", "Aiko", "Hiroshi", "Wei", "Priya", "Arjun", "Fatima", "Omar", "Ingrid", "Sven",
         "Lucía", "Diego", "Grace", "Ethan", "Amara", "Kofi", "Anna", "Jakub", "Isabela", "João", "Chen",
         "Nora", "Oscar", "Léa", "Ravi", "Maya", "Tom", "Sara")
LAST = ("Smith", "Müller", "García", "Rossi", "Martin", "Silva", "Tanaka", "Kim", "Nguyen", "Johnson",
        "Schmidt", "Dubois", "López", "Wang", "Li", "Brown", "Novak", "O'Brien", "Jensen", "Costa",
        "Sato", "Patel", "Khan", "Fischer", "Moreau", "Hernández", "Wilson", "Andersson", "Ito",
        "Santos", "Taylor", "Ivanova", "Lefèvre", "Murphy", "Park", "Weber", "Okafor", "Cohen",
        "Yılmaz", "Dupont")
COMMENTS = {
    1: ("Order arrived broken and nobody answered my emails.", "Very disappointed, cancelling.",
        "Third late delivery in a row."),
    2: ("Support took a week to reply.", "Quality was not what the photos showed.", "Too expensive for what it is."),
    3: ("It was fine.", "Okay, delivery could be faster.", "Average experience."),
    4: ("Good service, quick delivery.", "Happy with the product.", "Nice app, easy to order."),
    5: ("Excellent, will buy again!", "Best shop I know — told all my friends.", "Perfect as always 👍"),
}


@dataclass(frozen=True)
class SampleParams:
    """What the generator draws from. Workshop scenarios change these, never the output.

    Parameters
    ----------
    customers : number of customers (1,000 to 1,000,000 is the tested range).
    seed : seed of the random generator.
    start, end : the window of signups, orders and campaigns (inclusive).
    churn_multiplier : scales every customer's dropout probability (2.0 = twice the churn).
    lift_multiplier : scales every campaign's planted incremental conversion probability (0 = campaigns
        that do nothing).
    campaigns : number of campaigns.
    """

    customers: int = 5000
    seed: int = 42
    start: dt.date = dt.date(2023, 10, 1)
    end: dt.date = dt.date(2026, 9, 30)
    churn_multiplier: float = 1.0
    lift_multiplier: float = 1.0
    campaigns: int = 36


@dataclass
class SampleData:
    """The generated tables (canonical columns, ids as integers for speed; see :func:`load_sample`)
    and the truth the generator planted."""

    customers: pd.DataFrame
    orders: pd.DataFrame
    campaigns: pd.DataFrame
    contacts: pd.DataFrame
    tickets: pd.DataFrame
    surveys: pd.DataFrame
    truth: pd.DataFrame = field(default_factory=pd.DataFrame)


def generate(params: SampleParams = SampleParams()) -> SampleData:
    """Generate the six tables. Ids are integers here; :func:`load_sample` formats them as text."""
    if params.customers < 1:
        raise ValueError("customers must be at least 1")
    rng = np.random.default_rng(params.seed)
    n = params.customers
    start = np.datetime64(params.start, "D")
    days = (np.datetime64(params.end, "D") - start).astype(int) + 1

    customers, latent = _customers(rng, n, days, start)
    orders = _organic_orders(rng, latent, days, start, params.churn_multiplier)
    tickets = _tickets(rng, orders, latent, days)
    orders, tickets = _leave_after_bad_service(rng, orders, tickets, params.churn_multiplier)
    campaigns, contacts, extra_orders, truth = _campaigns(rng, params, latent, orders, days, start)
    orders = pd.concat([orders, extra_orders], ignore_index=True)
    orders = _finish_orders(rng, orders, latent)
    surveys = _surveys(rng, orders, latent, days)
    return SampleData(customers, orders, campaigns, contacts, tickets, surveys, truth)


def _day_weights(days: int, start: np.datetime64) -> np.ndarray:
    """Relative busyness of each day: November and December are busier, and the business grows."""
    dates = start + np.arange(days)
    month = dates.astype("datetime64[M]").astype(int) % 12 + 1
    season = np.where(month == 11, 1.5, np.where(month == 12, 1.8, np.where(month <= 2, 0.85, 1.0)))
    growth = 1.0 + 0.6 * np.arange(days) / days
    return season * growth


def _customers(rng: np.random.Generator, n: int, days: int, start: np.datetime64):
    weights = _day_weights(days, start)
    # Most customers join in the window; the first tenth were already customers at its start.
    signup_day = np.where(rng.random(n) < 0.1, 0, rng.choice(days, size=n, p=weights / weights.sum()))
    signup_day = np.sort(signup_day)  # customer ids follow signup order

    region = rng.choice(len(REGIONS), size=n, p=REGION_SHARE)
    places = [(r, c, city) for r, countries in REGIONS.items() for c, cities in countries.items() for city in cities]
    place_region = np.array([list(REGIONS).index(p[0]) for p in places])
    place = np.empty(n, dtype=np.int64)
    for r in range(len(REGIONS)):
        members = np.flatnonzero(region == r)
        options = np.flatnonzero(place_region == r)
        place[members] = rng.choice(options, size=len(members))

    channel_names = list(ACQUISITION)
    shares = np.array([v[0] for v in ACQUISITION.values()])
    channel = rng.choice(len(channel_names), size=n, p=shares / shares.sum())
    mean_cac = np.array([v[1] for v in ACQUISITION.values()])[channel]
    cac = np.round(rng.gamma(4.0, mean_cac / 4.0), 2)

    satisfaction = rng.normal(0.0, 1.0, n)
    rate = rng.gamma(0.9, 1 / 16.0, n)  # purchases per day while active
    dropout = np.clip(rng.beta(1.1, 12.0, n) * np.exp(-SATISFACTION_DROPOUT * satisfaction), 0.002, 0.95)
    spend_scale = 1.0 / rng.gamma(4.0, 1 / 160.0, n)  # Gamma-Gamma: nu ~ Gamma(q, gamma)

    # Referral customers name an earlier customer, more often a valuable one.
    referred_by = np.full(n, -1, dtype=np.int64)
    referral = np.flatnonzero((channel == channel_names.index("Referral")) & (np.arange(n) > 0))
    value_weight = np.cumsum(rate * spend_scale)
    targets = rng.random(len(referral)) * value_weight[referral - 1]
    referred_by[referral] = np.minimum(np.searchsorted(value_weight, targets), referral - 1)

    first = rng.integers(0, len(FIRST), n)
    last = rng.integers(0, len(LAST), n)
    customers = pd.DataFrame({
        "customer_no": np.arange(1, n + 1),
        "signup_date": start + signup_day,
        "first_name": np.array(FIRST, dtype=object)[first],
        "last_name": np.array(LAST, dtype=object)[last],
        "region": np.array(list(REGIONS), dtype=object)[region],
        "country": np.array([p[1] for p in places], dtype=object)[place],
        "city": np.array([p[2] for p in places], dtype=object)[place],
        "acquisition_channel": np.array(channel_names, dtype=object)[channel],
        "acquisition_cost": cac,
        "referred_by_no": np.where(referred_by >= 0, referred_by + 1, 0),
        "birth_year": np.clip(np.round(rng.normal(1983, 13, n)), 1940, 2007).astype(np.int32),
        "gender": rng.choice(np.array(["F", "M", "X"], dtype=object), size=n, p=(0.49, 0.48, 0.03)),
    })
    latent = {
        "n": n, "signup_day": signup_day, "satisfaction": satisfaction, "rate": rate, "dropout": dropout,
        "spend_scale": spend_scale, "channel_pref": rng.choice(len(ORDER_CHANNELS), size=n, p=ORDER_CHANNEL_SHARE),
        "buys": rng.random(n) >= 0.06,  # a few sign up and never buy
    }
    return customers, latent


def _organic_orders(rng, latent, days, start, churn_multiplier):
    """BG/NBD-style purchases: exponential gaps at the personal rate, dropout after each purchase."""
    n = latent["n"]
    dropout = np.clip(latent["dropout"] * churn_multiplier, 0.001, 0.99)
    count = np.minimum(rng.geometric(dropout), 250)
    count[~latent["buys"]] = 0
    owner = np.repeat(np.arange(n), count)
    gaps = rng.exponential(1.0, len(owner)) / latent["rate"][owner]
    group_start = np.cumsum(count) - count
    first = np.zeros(len(owner), dtype=bool)
    first[group_start[count > 0]] = True
    gaps[first] = rng.exponential(4.0, first.sum())  # first order a few days after signup
    elapsed = np.cumsum(gaps)
    elapsed -= np.repeat(elapsed[group_start[count > 0]] - gaps[first], count[count > 0])
    day = latent["signup_day"][owner] + np.floor(elapsed).astype(np.int64)
    keep = day < days
    # Seasonal thinning of repeat purchases (the first purchase always happens if in the window).
    weights = _day_weights(days, start)
    season = weights / (weights.max())
    keep &= first | (rng.random(len(owner)) < season[np.minimum(day, days - 1)] * 1.6)
    return pd.DataFrame({"customer": owner[keep], "day": day[keep], "campaign": -1})


def _campaigns(rng, params, latent, orders, days, start):
    names = list(CAMPAIGN_CHANNELS)
    objectives = list(OBJECTIVES)
    k = params.campaigns
    launch = np.sort(rng.integers(60, max(days - 30, 61), k))
    channel = rng.integers(0, len(names), k)
    objective = rng.integers(0, len(objectives), k)
    duration = rng.integers(10, 29, k)
    has_control = rng.random(k) < 0.7
    planted = np.round(rng.choice([0.0, 0.02, 0.04, 0.06, 0.09], size=k) * params.lift_multiplier, 4)
    planted[0] = 0.0  # one campaign that does nothing, for the workshop

    # Organic conversion lookup: sorted (customer, day) pairs for window queries.
    key = orders["customer"].to_numpy() * (days + 40) + orders["day"].to_numpy()
    key.sort()

    contact_parts, extra_parts, rows, truth = [], [], [], []
    for c in range(k):
        eligible = np.flatnonzero((latent["signup_day"] < launch[c]) & latent["buys"])
        reach = rng.uniform(0.12, 0.4)
        chosen = eligible[rng.random(len(eligible)) < reach]
        control = has_control[c] & (rng.random(len(chosen)) < 0.15)
        contact_day = launch[c] + rng.integers(0, max(duration[c] // 2, 1), len(chosen))
        window_end = contact_day + 13  # inclusive 14-day window
        lo = np.searchsorted(key, chosen * (days + 40) + contact_day, side="left")
        hi = np.searchsorted(key, chosen * (days + 40) + window_end, side="right")
        organic = hi > lo
        treated = ~control
        responds = treated & (rng.random(len(chosen)) < planted[c]) & (window_end < days)
        extra_day = contact_day[responds] + rng.integers(0, 14, responds.sum())
        extra_parts.append(pd.DataFrame({"customer": chosen[responds], "day": extra_day, "campaign": c}))
        converted_with = organic | responds
        truth.append({
            "campaign_no": c + 1, "planted_probability": planted[c], "has_control": bool(has_control[c]),
            "treated": int(treated.sum()),
            "true_incremental_conversions": int((converted_with & ~organic & treated).sum()),
            "true_lift": float((converted_with & ~organic & treated).sum() / max(treated.sum(), 1)),
        })
        per_contact, fixed, engagement = CAMPAIGN_CHANNELS[names[channel[c]]]
        opened = np.where(treated & (rng.random(len(chosen)) < 0.32), 1, 0) if engagement else None
        clicked = (opened & (rng.random(len(chosen)) < 0.22)) if engagement else None
        unknown = [None] * len(chosen)
        contact_parts.append(pd.DataFrame({
            "campaign_no": c + 1, "customer": chosen, "day": contact_day,
            "group": np.where(control, "control", "treatment"),
            "opened": pd.array(opened if engagement else unknown, dtype="boolean"),
            "clicked": pd.array(clicked if engagement else unknown, dtype="boolean"),
        }))
        cost = round(fixed * rng.uniform(0.7, 1.3) + per_contact * treated.sum(), 2)
        obj = objectives[objective[c]]
        rows.append({
            "campaign_no": c + 1,
            "name": f"{obj} {names[channel[c]].lower()} {np.datetime_as_string(start + launch[c], unit='M')}",
            "channel": names[channel[c]], "start_date": start + launch[c],
            "end_date": start + min(launch[c] + duration[c], days - 1), "cost": cost, "objective": obj,
            "target_segment": OBJECTIVES[obj],
        })
    campaigns = pd.DataFrame(rows)
    contacts = pd.concat(contact_parts, ignore_index=True)
    extra = pd.concat(extra_parts, ignore_index=True)
    extra = extra[extra["day"] < days]
    truth = pd.DataFrame(truth)
    return campaigns, contacts, extra, truth


def _finish_orders(rng, orders, latent):
    """Dates, amounts, channels and categories for every order; ids follow date order."""
    orders = orders.sort_values(["day", "customer"], kind="stable").reset_index(drop=True)
    m = len(orders)
    owner = orders["customer"].to_numpy()
    category = rng.choice(len(CATEGORIES), size=m, p=CATEGORY_SHARE)
    basket = rng.gamma(6.0, latent["spend_scale"][owner] / 6.0) * np.array(CATEGORY_PRICE)[category]
    amount = np.round(np.maximum(basket, 2.0), 2)
    preferred = rng.random(m) < 0.75
    channel = np.where(preferred, latent["channel_pref"][owner],
                       rng.choice(len(ORDER_CHANNELS), size=m, p=ORDER_CHANNEL_SHARE))
    status = rng.choice(3, size=m, p=(0.93, 0.05, 0.02))
    campaign = orders["campaign"].to_numpy()
    coupon = (campaign >= 0) & (rng.random(m) < 0.5)  # half the campaign orders used its coupon
    return pd.DataFrame({
        "order_no": np.arange(1, m + 1), "customer": owner, "day": orders["day"].to_numpy(),
        "amount": amount, "channel": np.array(ORDER_CHANNELS, dtype=object)[channel],
        "product_category": np.array(CATEGORIES, dtype=object)[category],
        "quantity": 1 + rng.poisson(amount / 90.0).astype(np.int32),
        "cost": np.round(amount * rng.uniform(0.42, 0.68, m), 2),
        "campaign_no": np.where(coupon, campaign + 1, 0),
        "status": np.array(["completed", "returned", "cancelled"], dtype=object)[status],
    })


def _tickets(rng, orders, latent, days):
    """Support tickets follow orders; unhappy customers open more and rate them lower."""
    owner = orders["customer"].to_numpy()
    chance = np.clip(0.07 * np.exp(-0.5 * latent["satisfaction"][owner]), 0, 0.6)
    opened = np.flatnonzero(rng.random(len(owner)) < chance)
    t = len(opened)
    cust = owner[opened]
    day = orders["day"].to_numpy()[opened] + rng.integers(1, 10, t)
    seconds = rng.integers(8 * 3600, 20 * 3600, t)
    hours_open = rng.lognormal(2.8, 1.1, t)
    score = np.clip(np.round(3.4 + 1.1 * latent["satisfaction"][cust] - 0.25 * np.log1p(hours_open)
                             + rng.normal(0, 0.7, t)), 1, 5)
    answered = rng.random(t) < 0.6
    still_open = rng.random(t) < 0.03
    frame = pd.DataFrame({
        "customer": cust, "day": day, "second": seconds,
        "hours_open": np.where(still_open, np.nan, hours_open),
        "category": rng.choice(np.array(TICKET_CATEGORIES, dtype=object), size=t),
        "channel": rng.choice(np.array(TICKET_CHANNELS, dtype=object), size=t, p=(0.45, 0.3, 0.25)),
        "satisfaction": pd.array(np.where(answered & ~still_open, score, np.nan), dtype="Int32"),
        "experience": score,  # what the customer felt, answered or not; dropped before loading
    })
    frame = frame[frame["day"] < days].sort_values(["day", "second"], kind="stable").reset_index(drop=True)
    frame.insert(0, "ticket_no", np.arange(1, len(frame) + 1))
    return frame


def _leave_after_bad_service(rng, orders, tickets, churn_multiplier):
    """Some customers whose ticket went badly (experience 1 or 2) buy nothing after it; their later
    tickets, which followed orders that now never happen, go too. Ticket numbers are given again."""
    chance = min(LEAVE_AFTER_BAD_TICKET * churn_multiplier, 1.0)
    bad = tickets[(tickets["experience"] <= 2) & (rng.random(len(tickets)) < chance)]
    leave_day = bad.groupby("customer")["day"].min()
    order_limit = orders["customer"].map(leave_day)
    ticket_limit = tickets["customer"].map(leave_day)
    orders = orders[order_limit.isna() | (orders["day"] <= order_limit)].reset_index(drop=True)
    tickets = tickets[ticket_limit.isna() | (tickets["day"] <= ticket_limit)].drop(columns=["experience"])
    tickets = tickets.reset_index(drop=True)
    tickets["ticket_no"] = np.arange(1, len(tickets) + 1)
    return orders, tickets


def _surveys(rng, orders, latent, days):
    """About a third of buying customers answer a survey once, some twice."""
    first_day = orders.groupby("customer")["day"].min()
    cust = first_day.index.to_numpy()
    answers = rng.choice(3, size=len(cust), p=(0.66, 0.26, 0.08))
    who = np.repeat(cust, answers)
    after = np.repeat(first_day.to_numpy(), answers) + rng.integers(3, 240, len(who))
    s = latent["satisfaction"][who]
    csat = np.clip(np.round(3.5 + 0.95 * s + rng.normal(0, 0.6, len(who))), 1, 5).astype(int)
    nps = np.clip(np.round(7.0 + 1.9 * s + rng.normal(0, 1.2, len(who))), 0, 10).astype(int)
    has_comment = rng.random(len(who)) < 0.35
    pick = rng.integers(0, 3, len(who))
    comment = np.array([COMMENTS[c][p] for c, p in zip(csat, pick, strict=False)], dtype=object)
    frame = pd.DataFrame({"customer": who, "day": after, "csat": csat, "nps": nps,
                          "comment": np.where(has_comment, comment, None)})
    frame = frame[frame["day"] < days]
    return frame.drop_duplicates(["customer", "day"]).reset_index(drop=True)


class NotEmpty(RuntimeError):
    """The database already holds data and the caller did not ask to replace it."""


def load_sample(con, params: SampleParams = SampleParams(), *, replace: bool = False,
                imported_by: str | None = None, actor: Principal = LOCAL_ADMIN) -> dict[str, int]:
    """Generate the sample and write it into the canonical tables in one transaction.

    Each table gets an import-ledger row (file name ``sample``), so the sample can be undone like any
    import. Refuses to add to a database that holds data unless ``replace`` is true, which first empties
    every table and the ledger.

    Returns the number of rows written per table.
    """
    require(actor, "reset_sample" if replace else "import")
    imported_by = imported_by or actor.user
    data = generate(params)
    frames = {"customers": data.customers, "orders": data.orders, "campaigns": data.campaigns,
              "contacts": data.contacts, "tickets": data.tickets, "surveys": data.surveys}
    digest = hashlib.sha256(json.dumps(_params_dict(params), sort_keys=True).encode()).hexdigest()
    counts = {t: len(frames[t]) for t in TABLE_ORDER}
    with db.transaction(con) as cur:
        existing = dict(db.run(cur, "table_counts").fetchall())
        if any(existing.values()) and not replace:
            raise NotEmpty("The database already holds data; use replace=True (--replace) to start over.")
        if replace:
            for table in TABLE_ORDER:
                db.execute(cur, "wipe_table", idents={"table": table, "history": f"{table}_history"})
            db.execute(cur, "wipe_ledger")
        ids = {}
        for table in TABLE_ORDER:
            ids[table] = db.scalar(cur, "next_import_id")
        for table, frame in frames.items():
            cur.register(f"gen_{table}", frame)
        params_sql = {"width": max(6, len(str(params.customers))), "start": params.start}
        params_sql.update({f"import_{t}": ids[t] for t in TABLE_ORDER})
        db.execute(cur, "load_sample", params_sql)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        for table in TABLE_ORDER:
            db.execute(cur, "insert_ledger", {
                "import_id": ids[table], "table_name": table, "file_name": "sample",
                "file_sha256": digest, "imported_at": now, "imported_by": imported_by,
                "rows_in_file": counts[table], "rows_inserted": counts[table], "rows_updated": 0,
                "rows_unchanged": 0, "customers_created": 0,
                "options": json.dumps(_params_dict(params)), "warnings": "[]",
            })
        for table in frames:
            cur.unregister(f"gen_{table}")
    db.checkpoint(con)
    return counts


def empty_database(con, actor: Principal = LOCAL_ADMIN) -> None:
    """Remove every row of every canonical table, their history and the import ledger, in one transaction: the
    way out of a database that holds the workshop sample (or anything else) before a company's own data goes in.
    Settings stored with the data (the currency) stay. Only an admin may (the same right as resetting to the
    sample)."""
    require(actor, "reset_sample")
    with db.transaction(con) as cur:
        for table in TABLE_ORDER:
            db.execute(cur, "wipe_table", idents={"table": table, "history": f"{table}_history"})
        db.execute(cur, "wipe_ledger")
    db.checkpoint(con)


def _params_dict(params: SampleParams) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in params.__dict__.items()}


def write_csvs(con, folder) -> list[Path]:
    """Write the six canonical tables as CSV files (the format the import reads) into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    cur = con.cursor()
    try:
        for table in TABLE_ORDER:
            target = folder / f"{table}.csv"
            db.execute(cur, "export_table", {"path": str(target)}, idents={"table": table})
            written.append(target)
    finally:
        cur.close()
    return written


def write_truth(params: SampleParams, folder) -> Path:
    """Write what the generator planted in the campaigns (``campaign_truth.csv``): per campaign, the
    planted extra-conversion probability and the realised true lift among treated customers (extra
    converters who would not have bought in the window anyway, divided by treated customers)."""
    truth = generate(params).truth.copy()
    truth.insert(0, "campaign_id", ["K" + str(n).zfill(3) for n in truth.pop("campaign_no")])
    target = Path(folder) / "campaign_truth.csv"
    truth.to_csv(target, index=False, float_format="%.6f")
    return target
