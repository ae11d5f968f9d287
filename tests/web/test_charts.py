"""The trend chart: an SVG with a text alternative, every text escaped, one point or many."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from libpolis.evidence.format import NumberFormat
from libpolis.web.charts import trend_svg

NS = "{http://www.w3.org/2000/svg}"


def test_trend_is_valid_svg_with_its_words_escaped() -> None:
    svg = trend_svg(
        [(date(2026, 6, 30), 320.0), (date(2026, 3, 31), 1210.5)],
        title='Visits <script>"&',
        unit="m² & more",
        baseline=120,
        target=400,
        labels={"target": "cible", "baseline": "base", "desc": "{n} mesures, {last}: {value}"},
        fmt=NumberFormat("fr"),
        chart_id="t1",
    )
    root = ET.fromstring(str(svg))  # well-formed: every text escaped
    assert root.get("role") == "img" and root.get("aria-labelledby") == "t1-title t1-desc"
    assert root.find(f"{NS}title").text == 'Visits <script>"&'
    assert root.find(f"{NS}desc").text == "2 mesures, 30 juin 2026: 320 m² & more"
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "cible 400" in texts and "base 120" in texts
    assert "1\u202f210,5" in texts  # the French grouping and decimal comma, highest first
    points = root.find(f"{NS}polyline").get("points").split()
    xs = [float(p.split(",")[0]) for p in points]
    assert xs == sorted(xs) and len(xs) == 2  # oldest first, whatever order given


def test_one_point_and_none() -> None:
    one = ET.fromstring(str(trend_svg([(date(2026, 1, 1), 5.0)], title="x")))
    assert len(list(one.iter(f"{NS}circle"))) == 1
    assert str(trend_svg([], title="x")) == ""
