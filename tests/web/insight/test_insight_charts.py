"""The server-drawn charts: labels escaped, whole-number axes for counts, gaps for nulls."""

from __future__ import annotations

import re

from planbridge.web.charts import Series, bar_chart, hbar_chart, line_chart, nice_max
from planbridge.web.insight import decimal_text

XSS = "<script>alert(1)</script>"


def test_every_label_and_series_name_is_escaped():
    for svg in (
        line_chart("a <b>", [XSS], [Series(XSS, [50.0], "s1")]),
        bar_chart("a <b>", [XSS], [Series(XSS, [3], "s1")], line=Series(XSS, [100.0], "s2")),
        hbar_chart("a <b>", [XSS], [Series(XSS, [75.0], "s1")]),
    ):
        assert "<script>" not in svg and "&lt;script&gt;" in svg
        assert 'aria-label="a &lt;b&gt;"' in svg and 'role="img"' in svg
        assert "style=" not in svg


def test_count_axes_have_four_whole_steps():
    assert [nice_max(v) for v in (0, 3, 5, 9, 17, 99, 2651.9)] == [4, 4, 8, 20, 20, 100, 4000]
    svg = bar_chart("x", ["#1", "#2"], [Series("Open", [5, 2], "s1")])
    ticks = re.findall(r'text-anchor="end">([^<]+)<', svg)
    assert ticks == ["0", "2", "4", "6", "8"]


def test_a_null_point_breaks_the_line():
    svg = line_chart("x", ["#1", "#2", "#3", "#4"], [Series("PPC", [50, None, 60, 70], "s1")])
    assert svg.count("<polyline") == 1  # #3–#4 joined; #1 stands alone
    assert svg.count("<circle") == 3


def test_quantities_keep_their_decimal_and_never_turn_exponential():
    assert [decimal_text(v) for v in (12.0, 2651.9, 1234567.5)] == ["12", "2651.9", "1234567.5"]
