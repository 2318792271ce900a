"""The Python rules give the TS rules' verdicts and words (the TS code writes fixtures/reason-cases.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from riskjob.js_format import js_number, js_round, js_to_fixed, window_label
from riskjob.metrics import WindowMetrics
from riskjob.rules import describe_breach
from riskjob.settings import DetectorSettings

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "fixtures" / "reason-cases.json").read_text()
)


def metrics_of(case: dict[str, Any]) -> WindowMetrics:
    return WindowMetrics(
        scope_kind=case["scope_kind"],
        scope_id=case["scope_id"],
        window_start=0,
        window_end=60_000,
        order_count=case["order_count"],
        total_notional=case["total_notional"],
        avg_notional=case["total_notional"] / case["order_count"],
        unique_symbols=1,
        top_symbol=case["top_symbol"],
        top_symbol_share=case["top_symbol_share"],
    )


@pytest.mark.parametrize(
    "case", CASES, ids=lambda c: f"{c['scope_kind']}-{c['order_count']}-{c['top_symbol_share']}"
)
def test_same_breach_and_reason_as_the_ts_rules(case: dict[str, Any], settings: DetectorSettings) -> None:
    breach = describe_breach(metrics_of(case), settings)
    expected = case["breach"]
    if expected is None:
        assert breach is None
    else:
        assert breach is not None
        assert (breach.metric, breach.value, breach.reason) == (
            expected["metric"],
            expected["value"],
            expected["reason"],
        )


def test_the_straddling_burst_reads_like_the_ts_kill(settings: DetectorSettings) -> None:
    case = {"scope_kind": "ACCOUNT", "scope_id": "12345", "order_count": 101, "total_notional": 1e4}
    breach = describe_breach(metrics_of({**case, "top_symbol": "TSLA", "top_symbol_share": 0.5}), settings)
    assert breach is not None and breach.reason == "Order rate breach: 101 orders in 60s"


def test_concentration_waits_for_the_minimum_sample(settings: DetectorSettings) -> None:
    base = {
        "scope_kind": "ACCOUNT",
        "scope_id": "1",
        "total_notional": 1e3,
        "top_symbol": "AAPL",
        "top_symbol_share": 1.0,
    }
    assert (
        describe_breach(metrics_of({**base, "order_count": settings.concentration_min_orders - 1}), settings)
        is None
    )
    at_minimum = describe_breach(
        metrics_of({**base, "order_count": settings.concentration_min_orders}), settings
    )
    assert at_minimum is not None and at_minimum.metric == "top_symbol_share"


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (1.005, 2, "1.00"),
        (0.125, 2, "0.13"),
        (1000000.125, 2, "1000000.13"),
        (2.5, 0, "3"),
        (1234.5678, 2, "1234.57"),
    ],
)
def test_to_fixed_rounds_like_javascript(value: float, digits: int, text: str) -> None:
    assert js_to_fixed(value, digits) == text


def test_math_round_sends_halves_up() -> None:
    assert [js_round(x) for x in (0.5, 1.5, 2.5, 67.5, -0.5)] == [1, 2, 3, 68, 0]


def test_numbers_and_labels_print_like_javascript() -> None:
    assert [js_number(x) for x in (1000000.0, 1500000.5, 1e21)] == ["1000000", "1500000.5", "1e+21"]
    assert [window_label(ms) for ms in (60_000, 1_500)] == ["60s", "1500ms"]
