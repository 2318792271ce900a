"""The job reads topologies/detector.json by the TS schema's rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from riskjob.settings import TopologyError, settings_from_json

ROOT = Path(__file__).resolve().parents[2]


def topology() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads((ROOT / "topologies" / "detector.json").read_text())
    return raw


def test_reads_the_shipped_topology() -> None:
    settings = settings_from_json(topology())
    assert (settings.window_ms, settings.slide_ms, settings.allowed_lateness_ms) == (60_000, 1_000, 5_000)
    assert (settings.max_order_count, settings.concentration_min_orders) == (100, 20)


def test_rejects_a_misspelt_limit() -> None:
    raw = topology()
    raw["thresholds"]["orderCont"] = 5
    with pytest.raises(TopologyError, match="orderCont"):
        settings_from_json(raw)


@pytest.mark.parametrize(
    ("key", "value"), [("slideMs", 7_000), ("allowedLatenessMs", 60_000), ("windowMs", 0)]
)
def test_rejects_inconsistent_windows(key: str, value: int) -> None:
    with pytest.raises(TopologyError):
        settings_from_json({**topology(), key: value})
