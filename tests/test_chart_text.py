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
