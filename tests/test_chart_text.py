"""Imported text on charts is text: plotly reads <b>, <a href> and <br> in labels as markup, so every label drawn
from the data is written with entities, while drill-down ids in customdata stay as stored."""

from __future__ import annotations

import pandas as pd

from crm_metrics.formatting import chart_text
from ui.charts import breakdown_bar


def test_chart_text_writes_the_three_markup_characters_as_entities():
    assert chart_text('<a href="x">&</a>') == '&lt;a href="x"&gt;&amp;&lt;/a&gt;'
    assert chart_text(None) == ""


def test_a_breakdown_bar_shows_the_label_as_written_and_drills_into_the_stored_value():
    frame = pd.DataFrame({"value": ["<b>North</b>", None], "revenue": [10.0, 5.0], "orders": [1, 1],
                          "customers": [1, 1], "share": [0.67, 0.33]})
    bar = breakdown_bar(frame, "Region", "Region").data[0]
    assert list(bar.y) == ["(not recorded)", "&lt;b&gt;North&lt;/b&gt;"]
    assert [c[0] for c in bar.customdata] == ["", "<b>North</b>"]


def test_campaign_marks_on_the_trend_show_the_name_as_written_and_drill_into_the_id():
    import datetime as dt

    from ui.charts import trend_chart

    series = pd.DataFrame({"bucket": pd.to_datetime(["2026-01-05", "2026-01-12"]), "revenue": [100.0, 200.0],
                           "orders": [1, 2], "active_customers": [1, 2], "new_customers": [1, 1],
                           "returning_customers": [0, 1]})
    starts = pd.DataFrame({"campaign_id": ["K<1>"], "name": ["<b>Spring</b>"], "channel": ["Email"],
                           "start_date": [dt.date(2026, 1, 7)], "cost": [10.0]})
    goals = pd.DataFrame({"bucket": [dt.date(2026, 1, 5), dt.date(2026, 1, 12)], "goal": [150.0, 150.0]})
    fig = trend_chart(series, "revenue", "week", "Revenue", goals=goals, campaigns=starts)
    marks = next(t for t in fig.data if t.name == "Campaign starts")
    assert list(marks.hovertext) == ["&lt;b&gt;Spring&lt;/b&gt; (Email)"]
    assert [list(c) for c in marks.customdata] == [["campaign", "K<1>"]]
    assert marks.y[0] == 200.0 * 1.08  # above the highest point
    pace = next(t for t in fig.data if t.name == "Target pace")
    assert list(pace.y) == [150.0, 150.0]


def test_a_long_title_is_folded_at_spaces_and_the_margin_grows():
    import plotly.graph_objects as go

    from ui.charts import TITLE_LINE, finish

    title = "Champions is the largest segment (17.0% of customers, 44.6% of revenue): keep them close"
    fig = finish(go.Figure(layout=dict(title=title, margin=dict(t=50))))
    lines = fig.layout.title.text.split("<br>")
    assert " ".join(lines) == title and all(len(line) <= TITLE_LINE for line in lines) and len(lines) == 2
    assert fig.layout.margin.t == 70
    short = finish(go.Figure(layout=dict(title="Revenue by region")))
    assert short.layout.title.text == "Revenue by region"
