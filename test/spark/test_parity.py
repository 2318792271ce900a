"""Parity: the Spark transforms KILL the same scopes, by the same rules, at the same windows as the
in-process detector on the recorded stream (fixtures/parity-*.json*, made and checked by the TS side).

Within the documented window semantics (topologies/spark/WINDOWS.md): the job's batch path judges each
window once, complete, while the in-process detector judges it after every order. So for the monotone
rules (order count, notional) the in-process value is the count at the order that crossed the limit and
Spark's is the whole window's, never less; where the crossing order was the window's last, they are equal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from riskjob.batch import detect_batch, read_orders_file
from riskjob.commands import run_namespace
from riskjob.settings import DetectorSettings

FIXTURES = Path(__file__).parent / "fixtures"
MONOTONE = {"order_rate_60s", "symbol_order_rate_60s", "notional_60s"}


@pytest.fixture(scope="module")
def spark_kills(spark: SparkSession, settings: DetectorSettings) -> list[dict[str, Any]]:
    orders = read_orders_file(spark, str(FIXTURES / "parity-orders.jsonl"))
    rows = detect_batch(orders, settings, run_namespace("parity")).orderBy("window_end", "scope").collect()
    return [row.asDict() for row in rows]


@pytest.fixture(scope="module")
def inprocess_kills() -> list[dict[str, Any]]:
    kills: list[dict[str, Any]] = json.loads((FIXTURES / "parity-inprocess-kills.json").read_text())
    return sorted(kills, key=lambda k: (k["window_end"], k["scope"]))


def test_the_same_scopes_are_killed_at_the_same_windows_for_the_same_rule(
    spark_kills: list[dict[str, Any]], inprocess_kills: list[dict[str, Any]]
) -> None:
    def key(kill: dict[str, Any]) -> tuple[str, str, int]:
        return (kill["scope"], kill["metric"], kill["window_end"])

    assert [key(k) for k in spark_kills] == [key(k) for k in inprocess_kills]


def test_the_stream_covers_every_rule_and_a_second_episode(inprocess_kills: list[dict[str, Any]]) -> None:
    assert {k["metric"] for k in inprocess_kills} == MONOTONE | {"top_symbol_share"}
    assert [k["scope"] for k in inprocess_kills].count("ACCOUNT:12345") == 2
    assert not any(
        k["scope"] in ("ACCOUNT:40001",) or k["scope"].startswith("ACCOUNT:100") for k in inprocess_kills
    )


def test_the_same_metric_value_within_the_window_semantics(
    spark_kills: list[dict[str, Any]], inprocess_kills: list[dict[str, Any]], settings: DetectorSettings
) -> None:
    for spark_kill, inprocess_kill in zip(spark_kills, inprocess_kills, strict=True):
        if spark_kill["metric"] in MONOTONE:
            assert spark_kill["value"] >= inprocess_kill["value"] - 1e-6, spark_kill
        else:
            assert spark_kill["value"] == pytest.approx(inprocess_kill["value"]), spark_kill
            assert spark_kill["reason"] == inprocess_kill["reason"]


def test_where_the_crossing_order_closed_the_window_the_kill_is_word_for_word(
    spark_kills: list[dict[str, Any]], inprocess_kills: list[dict[str, Any]]
) -> None:
    # The notional runaway sends one order a second, so the crossing order is its window's last.
    spark_kill = next(k for k in spark_kills if k["scope"] == "ACCOUNT:50001")
    inprocess_kill = next(k for k in inprocess_kills if k["scope"] == "ACCOUNT:50001")
    assert spark_kill["value"] == pytest.approx(inprocess_kill["value"])
    assert spark_kill["reason"] == inprocess_kill["reason"]


def test_commands_have_unique_ids(spark_kills: list[dict[str, Any]]) -> None:
    ids = [k["cmd_id"] for k in spark_kills] + [k["corr_id"] for k in spark_kills]
    assert len(set(ids)) == len(ids) == 2 * len(spark_kills)
