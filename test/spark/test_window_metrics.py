"""window_metrics on a local SparkSession: the metrics of sliding-window.ts over Spark's sliding windows."""

from __future__ import annotations

from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from orders_fixture import NOON, order, record, records, spread
from riskjob.commands import run_namespace
from riskjob.orders import RECORD_SCHEMA, file_records, parse_orders
from riskjob.settings import DetectorSettings
from riskjob.stateful import kill_commands_batch
from riskjob.windows import window_metrics

SECOND = 1_000


def records_frame(spark: SparkSession, logged: list[dict[str, Any]]) -> DataFrame:
    rows = [(r["timestamp"], r["value"]) for r in logged]
    return parse_orders(file_records(spark.createDataFrame(rows, RECORD_SCHEMA)))


def orders_frame(spark: SparkSession, rows: list[dict[str, Any]]) -> DataFrame:
    return records_frame(spark, records(rows))


def windows_of(
    spark: SparkSession, rows: list[dict[str, Any]], settings: DetectorSettings
) -> dict[tuple[str, int], Any]:
    found = window_metrics(orders_frame(spark, rows), settings).collect()
    return {(f"{r.scope_kind}:{r.scope_id}", r.window_end): r for r in found}


def test_each_order_lands_in_window_over_slide_windows(
    spark: SparkSession, settings: DetectorSettings
) -> None:
    windows = windows_of(spark, [order(NOON + 500)], settings)
    account = sorted(end for scope, end in windows if scope == "ACCOUNT:12345")
    # [start, end) spans aligned to whole seconds: the first ends just after the order's second.
    assert len(account) == settings.window_ms // settings.slide_ms
    assert account[0] == NOON + SECOND and account[-1] == NOON + 60 * SECOND


def test_account_metrics_are_exact(spark: SparkSession, settings: DetectorSettings) -> None:
    rows = [
        order(NOON + 100, symbol="MSFT", qty=10, price=100.0),
        order(NOON + 200, symbol="AAPL", qty=5, price=200.0),
        order(NOON + 300, symbol="AAPL", qty=1, price=50.0),
        order(NOON + 400, symbol="MSFT", qty=2, price=25.0),
        order(NOON + 500, symbol="TSLA", qty=1, price=10.0),
    ]
    w = windows_of(spark, rows, settings)[("ACCOUNT:12345", NOON + SECOND)]
    assert (w.window_start, w.window_end) == (NOON - 59 * SECOND, NOON + SECOND)
    assert w.order_count == 5
    assert w.total_notional == pytest.approx(1000 + 1000 + 50 + 50 + 10)
    assert w.avg_notional == pytest.approx(2110 / 5)
    assert w.unique_symbols == 3
    # AAPL and MSFT tie on two orders: the alphabetically first wins, as in the TS.
    assert (w.top_symbol, w.top_symbol_share) == ("AAPL", pytest.approx(0.4))


def test_distinct_symbols_are_counted_exactly(spark: SparkSession, settings: DetectorSettings) -> None:
    symbols = [f"S{i:03d}" for i in range(97)]
    rows = [order(NOON + i, symbol=s) for i, s in enumerate(symbols * 2)]
    w = windows_of(spark, rows, settings)[("ACCOUNT:12345", NOON + SECOND)]
    assert w.unique_symbols == 97


def test_symbol_windows_count_every_account(spark: SparkSession, settings: DetectorSettings) -> None:
    rows = [order(NOON + i, account_id=str(20000 + i), symbol="NVDA") for i in range(30)]
    windows = windows_of(spark, rows, settings)
    assert windows[("SYMBOL:NVDA", NOON + SECOND)].order_count == 30
    assert windows[("ACCOUNT:20000", NOON + SECOND)].order_count == 1


def test_the_straddling_burst_breaches_one_window(spark: SparkSession, settings: DetectorSettings) -> None:
    # Given 60 orders at 12:00:59.5 and 60 at 12:01:00.5: a tumbling minute would see 60 and 60
    first = NOON + 59 * SECOND + 500
    rows = spread(60, first, 5) + spread(60, first + SECOND, 5)
    # When the sliding windows are judged
    windows = windows_of(spark, rows, settings)
    kills = kill_commands_batch(
        window_metrics(orders_frame(spark, rows), settings), settings, run_namespace("t")
    ).collect()
    # Then the window ending at 12:01:01 holds all 120, and the account is killed once, for it
    assert windows[("ACCOUNT:12345", NOON + 61 * SECOND)].order_count == 120
    assert windows[("ACCOUNT:12345", NOON + 60 * SECOND)].order_count == 60
    assert [(k.scope, k.window_end, k.reason) for k in kills] == [
        ("ACCOUNT:12345", NOON + 61 * SECOND, "Order rate breach: 120 orders in 60s")
    ]


def test_concentration_is_judged_only_from_the_minimum(
    spark: SparkSession, settings: DetectorSettings
) -> None:
    # 19 orders all in AAPL, one a second: 100% share, but too small a sample; the 20th trips it.
    rows = [order(NOON + i * SECOND, account_id="30001") for i in range(20)]
    kills = kill_commands_batch(
        window_metrics(orders_frame(spark, rows), settings), settings, run_namespace("t")
    ).collect()
    assert [(k.scope, k.window_end, k.metric, k.value) for k in kills] == [
        ("ACCOUNT:30001", NOON + 20 * SECOND, "top_symbol_share", 1.0)
    ]
    assert kills[0].reason == "Concentration breach: 100% of 20 orders in AAPL in 60s"


def test_malformed_orders_are_not_counted(spark: SparkSession, settings: DetectorSettings) -> None:
    rows = [order(NOON), {**order(NOON + 1), "qty": 0}, {**order(NOON + 2), "account_id": None}]
    assert windows_of(spark, rows, settings)[("ACCOUNT:12345", NOON + SECOND)].order_count == 1


def test_event_time_is_the_append_time_not_the_clients_ts(spark: SparkSession) -> None:
    # Given orders stamped five minutes ahead and twenty seconds behind by their clients
    logged = [
        record(order(NOON + 5 * 60 * SECOND, account_id="fast"), appended_ms=NOON + 100),
        record(order(NOON - 20 * SECOND, account_id="slow"), appended_ms=NOON + 200),
    ]
    # When they are read
    rows = records_frame(spark, logged).select("account_id", F.expr("unix_millis(event_time)"), "ts")
    # Then each is at the time the log appended it, and keeps its own ts as data
    assert sorted(tuple(r) for r in rows.collect()) == [
        ("fast", NOON + 100, NOON + 5 * 60 * SECOND),
        ("slow", NOON + 200, NOON - 20 * SECOND),
    ]


def test_identifiers_are_read_in_their_canonical_form(spark: SparkSession, settings: DetectorSettings) -> None:
    spelled = [
        order(NOON, account_id=" ABC-1 ", symbol="tsla"),
        order(NOON + 1, account_id="\uff21\uff22\uff23\uff0d\uff11", symbol=" TSLA "),
        # A zero-width space is no spelling: the order is refused, as the router refuses it
        order(NOON + 2, account_id="abc\u200b-1", symbol="TSLA"),
    ]
    rows = [{**row, "order_id": f"o-{i}"} for i, row in enumerate(spelled)]
    windows = windows_of(spark, rows, settings)
    assert windows[("ACCOUNT:abc-1", NOON + SECOND)].order_count == 2
    assert windows[("SYMBOL:TSLA", NOON + SECOND)].order_count == 2
    assert windows[("ACCOUNT:abc-1", NOON + SECOND)].top_symbol == "TSLA"


def test_a_notional_beyond_any_double_is_capped_and_breaches(
    spark: SparkSession, settings: DetectorSettings
) -> None:
    # qty x price is Infinity as a double
    rows = [order(NOON, account_id="huge", qty=100, price=1e308)]
    kills = kill_commands_batch(
        window_metrics(orders_frame(spark, rows), settings), settings, run_namespace("t")
    ).collect()
    assert [(k.scope, k.metric, k.value) for k in kills] == [("ACCOUNT:huge", "notional_60s", 1e15)]
    assert kills[0].reason == "Notional breach: 1000000000000000.00 in 60s (limit 1000000)"
