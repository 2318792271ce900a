"""Parity: the Spark transforms KILL the same scopes, by the same rules, at the same windows as the
in-process detector on the recorded stream (fixtures/parity-*.json*, made and checked by the TS side).

The stream is a log: each line one orders.v1 record, its append time and its value as sent. Both sides
read it as their Kafka input reads it (src/processors/detector-input.ts, riskjob/orders.py): event time is
the append time, identifiers are canonical, and a record the router would dead-letter is not counted.

Within the documented window semantics (topologies/spark/WINDOWS.md): the job's batch path judges each
window once, complete, while the in-process detector judges it after every order. So for the monotone
rules (order count, notional) the in-process value is the count at the order that crossed the limit and
Spark's is the whole window's, never less; where the crossing order was the window's last, they are equal.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from riskjob.batch import detect_batch, read_orders_file
from riskjob.commands import run_namespace
from riskjob.settings import DetectorSettings
from riskjob.windows import MAX_ORDER_NOTIONAL

FIXTURES = Path(__file__).parent / "fixtures"
MONOTONE = {"order_rate_60s", "symbol_order_rate_60s", "notional_60s"}
SECOND = 1_000


@pytest.fixture(scope="module")
def orders(spark: SparkSession) -> DataFrame:
    return read_orders_file(spark, str(FIXTURES / "parity-orders.jsonl")).cache()


@pytest.fixture(scope="module")
def spark_kills(orders: DataFrame, settings: DetectorSettings) -> list[dict[str, Any]]:
    rows = detect_batch(orders, settings, run_namespace("parity")).orderBy("window_end", "scope").collect()
    return [row.asDict() for row in rows]


@pytest.fixture(scope="module")
def inprocess_kills() -> list[dict[str, Any]]:
    kills: list[dict[str, Any]] = json.loads((FIXTURES / "parity-inprocess-kills.json").read_text())
    return sorted(kills, key=lambda k: (k["window_end"], k["scope"]))


@pytest.fixture(scope="module")
def accepted() -> dict[str, Any]:
    result: dict[str, Any] = json.loads((FIXTURES / "parity-accepted-orders.json").read_text())
    return result


@pytest.fixture(scope="module")
def logged() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (FIXTURES / "parity-orders.jsonl").read_text("utf-8").splitlines()]


def kill_of(kills: list[dict[str, Any]], scope: str) -> dict[str, Any]:
    found = [k for k in kills if k["scope"] == scope]
    assert len(found) == 1, (scope, found)
    return found[0]


def records_of(logged: list[dict[str, Any]], account_id: str) -> list[dict[str, Any]]:
    return [r for r in logged if f'"account_id":"{account_id}"' in (r["value"] or "")]


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


def test_both_read_the_same_orders_into_the_same_scopes(orders: DataFrame, accepted: dict[str, Any]) -> None:
    # Every record either side counts, scope by scope: a record read differently shows by its scope's name
    scope = F.array(F.concat(F.lit("ACCOUNT:"), "account_id"), F.concat(F.lit("SYMBOL:"), "symbol"))
    notional = F.least(F.col("qty").cast("double") * F.col("price"), F.lit(MAX_ORDER_NOTIONAL))
    scopes = orders.select(F.explode(scope).alias("scope"), notional.alias("notional"))
    summed = scopes.groupBy("scope").agg(F.count("*").alias("orders"), F.sum("notional").alias("notional"))
    totals = {r.scope: (r.orders, r.notional) for r in summed.collect()}
    assert orders.count() == accepted["accepted"]
    assert {scope: n for scope, (n, _) in totals.items()} == {
        scope: total["orders"] for scope, total in accepted["scopes"].items()
    }
    for scope, total in accepted["scopes"].items():
        assert totals[scope][1] == pytest.approx(total["notional"], rel=1e-12), scope


def test_a_client_clock_off_either_way_hides_no_account(
    spark_kills: list[dict[str, Any]], inprocess_kills: list[dict[str, Any]], logged: list[dict[str, Any]]
) -> None:
    # Given runaways whose clients stamp their orders 20 s behind the log and 5 minutes ahead of it
    offsets = {
        account: {json.loads(r["value"])["ts"] - r["timestamp"] for r in records_of(logged, account)}
        for account in ("slow-1", "fast-1")
    }
    assert offsets == {"slow-1": {-20 * SECOND}, "fast-1": {5 * 60 * SECOND}}
    # Then both detectors kill both, in the windows of the append times
    for scope in ("ACCOUNT:slow-1", "ACCOUNT:fast-1"):
        spark_kill, inprocess_kill = kill_of(spark_kills, scope), kill_of(inprocess_kills, scope)
        assert spark_kill["window_end"] == inprocess_kill["window_end"]
        first_appended = min(r["timestamp"] for r in records_of(logged, scope.split(":")[1]))
        assert first_appended < spark_kill["window_end"] <= first_appended + 3 * SECOND


def test_every_spelling_of_an_identifier_lands_in_its_canonical_scope(
    spark_kills: list[dict[str, Any]], inprocess_kills: list[dict[str, Any]], orders: DataFrame
) -> None:
    # abc-1 runs away as " ABC-1 ", "abc-1", "Abc-1", full width and more, no spelling over 25 orders;
    # the TSLA surge spells its ticker five ways, none with more than 700 orders
    for kills in (spark_kills, inprocess_kills):
        assert kill_of(kills, "ACCOUNT:abc-1")["metric"] == "order_rate_60s"
        assert kill_of(kills, "SYMBOL:TSLA")["metric"] == "symbol_order_rate_60s"
    spelled = orders.where(F.col("order_id").startswith("n-spelled-")).select("account_id", "symbol").distinct()
    assert {r.account_id for r in spelled.collect()} == {"abc-1"}
    assert {r.symbol for r in spelled.collect()} == {
        "AAPL", "GOOGL", "MSFT", "AMZN", "TSLA", "NVDA", "META", "NFLX"
    }


def test_records_the_router_would_dead_letter_are_counted_by_neither(
    spark_kills: list[dict[str, Any]], inprocess_kills: list[dict[str, Any]], orders: DataFrame
) -> None:
    # ivan-1 and 40002 each send exactly 100 valid orders in a second, beside look-alike identifiers
    # (a zero-width space, Cyrillic letters) and records the contract refuses: one more would be a breach
    refused_runaway = f"ACCOUNT:len-{'x' * 61}"
    for kills in (spark_kills, inprocess_kills):
        scopes = {k["scope"] for k in kills}
        assert not scopes & {"ACCOUNT:ivan-1", "ACCOUNT:40002", refused_runaway}
        # The 64-character account is the longest there is, and is killed
        assert f"ACCOUNT:len-{'x' * 60}" in scopes
    counted = {r.account_id: r[1] for r in orders.groupBy("account_id").count().collect()}
    assert (counted["ivan-1"], counted["40002"]) == (100, 100)
    assert not [account for account in counted if "\u200b" in account or not account.isascii()]


def test_a_notional_that_would_overflow_is_killed_with_a_finite_value(
    spark_kills: list[dict[str, Any]], inprocess_kills: list[dict[str, Any]]
) -> None:
    # huge-1 orders 100 at 1e308: qty x price is Infinity as a double, capped at MAX_ORDER_NOTIONAL
    for kills in (spark_kills, inprocess_kills):
        kill = kill_of(kills, "ACCOUNT:huge-1")
        assert (kill["metric"], kill["value"]) == ("notional_60s", MAX_ORDER_NOTIONAL)
        assert kill["reason"] == "Notional breach: 1000000000000000.00 in 60s (limit 1000000)"
    assert all(math.isfinite(k["value"]) for k in spark_kills)


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
    # The notional runaways send one order a second, so the crossing order is its window's last.
    for scope in ("ACCOUNT:50001", "ACCOUNT:huge-1"):
        spark_kill, inprocess_kill = kill_of(spark_kills, scope), kill_of(inprocess_kills, scope)
        assert spark_kill["value"] == pytest.approx(inprocess_kill["value"])
        assert spark_kill["reason"] == inprocess_kill["reason"]


def test_commands_have_unique_ids(spark_kills: list[dict[str, Any]]) -> None:
    ids = [k["cmd_id"] for k in spark_kills] + [k["corr_id"] for k in spark_kills]
    assert len(set(ids)) == len(ids) == 2 * len(spark_kills)
