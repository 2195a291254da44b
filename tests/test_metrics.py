"""NPS, CSAT and CES against hand computations from their definitions."""

from __future__ import annotations

import numpy as np
import pytest

import cxkit
from cxkit.errors import ResponseError


def test_nps_by_hand():
    answers = [10, 10, 9, 8, 7, 6, 5, 0, 9, 10]  # 5 promoters, 2 passives, 3 detractors
    r = cxkit.nps(answers)
    assert r.counts == {"promoters": 5, "passives": 2, "detractors": 3}
    assert r.score == pytest.approx(100 * (5 - 3) / 10)
    se = 100 * np.sqrt((0.5 + 0.3 - 0.2**2) / 10)
    assert r.ci_low == pytest.approx(20 - 1.959963984540054 * se)
    assert r.ci_high == pytest.approx(20 + 1.959963984540054 * se)


def test_nps_ignores_missing_and_rejects_bad_values():
    assert cxkit.nps([10, None, np.nan, 0]).n == 2
    with pytest.raises(ResponseError, match="whole numbers 0–10; got 11"):
        cxkit.nps([10, 11])


def test_csat_by_hand():
    r = cxkit.csat([5, 5, 4, 3, 2, 1, 4, 4])
    assert r.score == pytest.approx(100 * 5 / 8)
    assert r.mean == pytest.approx(28 / 8)
    p, n, z = 5 / 8, 8, 1.959963984540054
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert r.ci_low == pytest.approx(100 * (centre - half))


def test_ces_on_seven_and_five_point_scales():
    assert cxkit.ces([7, 6, 5, 4, 3, 1]).score == pytest.approx(50.0)  # 5–7 agree
    assert cxkit.ces([5, 4, 3, 2], scale=(1, 5)).score == pytest.approx(50.0)  # 4–5, as seed 001


def test_metrics_by_segment_from_responses():
    ins = cxkit.load_instrument("online-cx@2.0.0")
    r = cxkit.read_responses(cxkit.simulate(ins, 500, seed=1), ins)
    table = cxkit.nps(r, by="MARKET")
    assert table.loc["(all)", "n"] == 500
    assert "Shopee" in table.index
    assert table.drop(index="(all)")["n"].sum() == 500
    shopee = r.data["MARKET"] == 1
    assert table.loc["Shopee", "score"] == pytest.approx(
        cxkit.nps(r.data.loc[shopee, "NPS1"]).score
    )
    assert cxkit.csat(r).n == 500 and cxkit.ces(r).n == 500
    seg = cxkit.csat([5, 4, 1, 2], by=["a", "a", "b", "b"])
    assert seg.loc["a", "score"] == 100 and seg.loc["b", "score"] == 0
