"""Workshop mode: the ideas behind the dashboard, told with the numbers of the data loaded now, and
scenarios a trainer switches to show how the numbers move.

Scenarios are generator parameters (:class:`crm_metrics.sample.SampleParams`), never edited numbers: the
sample is generated again under the scenario's process and replaces the data, so every page changes
because the customers behaved differently.

The loyalty ladder (Christopher, Payne & Ballantyne 1991, *Relationship Marketing*) is measured in
``sql/loyalty_ladder.sql``: prospect, customer, client, supporter, advocate (the top rung, partner, needs
data the canonical tables do not hold).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from dataclasses import dataclass

import pandas as pd

from crm_metrics import db
from crm_metrics.access import LOCAL_ADMIN, Principal
from crm_metrics.filters import Filters
from crm_metrics.formatting import count, money_short, percent
from crm_metrics.reporting import data_span
from crm_metrics.reports import register
from crm_metrics.sample import SampleParams, load_sample


@dataclass(frozen=True)
class Scenario:
    """A workshop scenario: a name, what changes in the customers' behaviour, what to look for, and the
    generator parameters that make it happen."""

    key: str
    title: str
    story: str
    watch: str
    params: SampleParams


SCENARIOS: dict[str, Scenario] = {s.key: s for s in (
    Scenario("workshop", "The workshop sample", "5,000 customers over three years, as shipped in sample_data/.",
             "The baseline every exercise starts from.", SampleParams()),
    Scenario("higher_churn", "Higher churn", "Every customer is twice as likely to stop buying after each purchase, "
             "and a bad support ticket loses customers more often.",
             "Retention curves fall faster, fewer customers are likely alive, predicted CLV drops, and the cost of "
             "a lost customer matters more.", SampleParams(churn_multiplier=2.0)),
    Scenario("no_lift", "Campaigns that do nothing", "Campaigns reach the same customers, but nobody buys because "
             "of them.", "Attributed revenue hardly moves (customers still buy after a contact), while incremental "
             "revenue against the control groups falls to about zero.", SampleParams(lift_multiplier=0.0)),
)}


def _params_of(options: str | None) -> SampleParams | None:
    if not options:
        return None
    try:
        raw = json.loads(options)
        raw["start"], raw["end"] = dt.date.fromisoformat(raw["start"]), dt.date.fromisoformat(raw["end"])
        return SampleParams(**{f.name: raw[f.name] for f in dataclasses.fields(SampleParams) if f.name in raw})
    except (ValueError, TypeError, KeyError):
        return None


def current_scenario(cur) -> str | None:
    """The scenario the data was generated under, or None when the data is not (only) a generated sample:
    the shipped CSVs count as "workshop"; user imports, or a mix, as None."""
    ledger = db.query_df(cur, "sample_provenance")
    if ledger.empty:
        return None
    if ledger["file_name"].str.startswith("sample_data/").all():
        return "workshop"
    if not (ledger["file_name"] == "sample").all():
        return None
    params = {_params_of(o) for o in ledger["options"]}
    if len(params) != 1:
        return None
    found = params.pop()
    return next((s.key for s in SCENARIOS.values() if s.params == found), None)


def holds_user_data(cur) -> bool:
    """Whether any live import came from the user's own files (a scenario switch would replace it)."""
    ledger = db.query_df(cur, "sample_provenance")
    return bool((~(ledger["file_name"].str.startswith("sample_data/") | (ledger["file_name"] == "sample"))).any())


def apply_scenario(con, key: str, imported_by: str | None = None, actor: Principal = LOCAL_ADMIN) -> dict[str, int]:
    """Replace every table with the sample generated under scenario ``key`` (one transaction); only an
    admin may (:class:`~crm_metrics.access.AccessDenied` otherwise)."""
    if key not in SCENARIOS:
        raise ValueError(f"unknown scenario {key!r}; one of {sorted(SCENARIOS)}")
    return load_sample(con, SCENARIOS[key].params, replace=True, imported_by=imported_by, actor=actor)


def loyalty_ladder(cur, as_of: dt.date, filters: Filters | None = None) -> pd.DataFrame:
    """Customers per rung of the loyalty ladder. Grain: one row per rung, Prospect first. Columns: rung,
    step, customers, share (of all customers on the ladder)."""
    frame = db.query_df(cur, "loyalty_ladder", {"as_of": as_of, **(filters or Filters()).params()})
    total = frame["customers"].sum()
    frame["share"] = frame["customers"] / total if total else math.nan
    return frame


def ladder_sentence(ladder: pd.DataFrame) -> str:
    """Where customers stand on the ladder, and the step that loses the most."""
    total = int(ladder["customers"].sum())
    if total == 0:
        return "No customers yet."
    by = ladder.set_index("rung")["customers"]
    bought = total - int(by["Prospect"])
    repeat = int(by["Client"] + by["Supporter"] + by["Advocate"])
    return (f"Of {count(total)} people who signed up, {count(bought)} bought at least once and {count(repeat)} "
            f"came back ({percent(repeat / bought) if bought else 'none'} of buyers); {count(int(by['Advocate']))} "
            f"recommend us or brought someone in. {count(int(by['Customer']))} have bought on one day only: the "
            "second purchase is the first step up the ladder.")


def acquisition_vs_retention(defaults: dict) -> str:
    """The classic comparison, with this company's numbers (:func:`crm_metrics.worth.retention_defaults`):
    winning a customer against keeping one. The other assumptions are RetentionInputs' defaults."""
    from crm_metrics.worth import RetentionInputs, retention_economics

    cac, rate, margin = defaults.get("acquisition_cost"), defaults.get("retention_rate"), defaults.get("annual_margin")
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (cac, rate, margin)):
        return ("The data does not yet tell what a new customer costs, what a customer earns in a year, or how many "
                "stay.")
    try:
        inputs = RetentionInputs(acquisition_cost=float(cac), annual_margin=float(margin), retention_rate=float(rate),
                                 customers=int(defaults.get("customers") or 0))
    except ValueError as problem:
        return f"The retention economics cannot be worked out from this data: {problem}."
    lost, gain = (retention_economics(inputs)[k] for k in ("lost_customer_cost", "five_point_gain"))
    return (f"Winning a new customer costs about {money_short(cac)} here, and {percent(rate)} of last year's "
            f"customers bought again this year. Losing one customer costs {money_short(lost)} "
            f"(the margin they would have brought over {inputs.horizon_years} years, after a yearly "
            f"{money_short(inputs.retention_cost)} to keep them, plus replacing them), and keeping five more customers "
            f"in a hundred each year would be worth {money_short(gain)}.")


def incrementality_sentence(totals: dict) -> str:
    """Why attributed revenue is not what campaigns caused, with this data's campaigns."""
    if not totals.get("campaigns"):
        return "No campaigns in the data yet."
    if not totals.get("controlled"):
        return (f"Campaigns were followed by {money_short(totals['attributed_revenue'])} of attributed revenue, but "
                "none held out a control group, so what they caused cannot be measured.")
    return (f"Campaigns were followed by {money_short(totals['attributed_revenue'])} of attributed revenue. Against "
            f"their control groups, the {count(totals['controlled'])} campaigns with one caused about "
            f"{money_short(totals['incremental_revenue'])} (95%: {money_short(totals['incremental_revenue_low'])} to "
            f"{money_short(totals['incremental_revenue_high'])}): customers who would have bought anyway are counted "
            "by attribution, not by lift.")


@register("loyalty-ladder")
def ladder_report(cur, as_of=None, **options) -> pd.DataFrame:
    """Customers per rung of the loyalty ladder as of ``as_of`` (default: the last order date), as the
    Learn page shows. Grain: one row per rung."""
    if as_of is None:
        as_of = data_span(cur)[1]
        if as_of is None:
            return pd.DataFrame()
    return loyalty_ladder(cur, as_of, options.pop("filters", None))
