"""Sliding event-time windows per account and per symbol, with the metrics of sliding-window.ts.

window(event_time, windowMs, slideMs) puts every order in windowMs/slideMs overlapping windows
aligned to multiples of slideMs: the same [start, end) spans as the in-process window of whole
slideMs buckets ending with the newest one (topologies/spark/WINDOWS.md has the mapping).
Accounts and symbols share ONE aggregation: each order is counted once as an ACCOUNT row and once
as a SYMBOL row, since a streaming query may hold only one aggregation before a stateful step.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

from .metrics import ACCOUNT, SYMBOL
from .orders import EVENT_TIME
from .settings import DetectorSettings

# MAX_ORDER_NOTIONAL in src/domain/detector.ts: an absurd price still breaches, with a finite value.
MAX_ORDER_NOTIONAL = 1e15

WINDOW_SCHEMA = StructType(
    [
        StructField("scope_kind", StringType()),
        StructField("scope_id", StringType()),
        StructField("window_start", LongType()),
        StructField("window_end", LongType()),
        StructField("order_count", LongType()),
        StructField("total_notional", DoubleType()),
        StructField("avg_notional", DoubleType()),
        StructField("unique_symbols", LongType()),
        StructField("top_symbol", StringType()),
        StructField("top_symbol_share", DoubleType()),
    ]
)


def scope_rows(orders: DataFrame) -> DataFrame:
    """One row per order and scope it counts towards: its account and its symbol."""
    scopes = F.array(
        F.struct(F.lit(ACCOUNT).alias("kind"), F.col("account_id").alias("id")),
        F.struct(F.lit(SYMBOL).alias("kind"), F.col("symbol").alias("id")),
    )
    return orders.select(
        EVENT_TIME,
        "symbol",
        F.least(F.col("qty").cast("double") * F.col("price"), F.lit(MAX_ORDER_NOTIONAL)).alias("notional"),
        F.explode(scopes).alias("scope"),
    ).select(
        EVENT_TIME,
        "symbol",
        "notional",
        F.col("scope.kind").alias("scope_kind"),
        F.col("scope.id").alias("scope_id"),
    )


def window_metrics(orders: DataFrame, settings: DetectorSettings) -> DataFrame:
    """Per scope and window: order_count, total_notional, avg_notional, unique_symbols, top_symbol(_share)."""
    window = F.window(EVENT_TIME, f"{settings.window_ms} milliseconds", f"{settings.slide_ms} milliseconds")
    is_account = F.col("scope_kind") == ACCOUNT
    aggregated = (
        scope_rows(orders)
        .groupBy("scope_kind", "scope_id", window.alias("window"))
        .agg(
            F.count(F.lit(1)).alias("order_count"),
            F.sum("notional").alias("total_notional"),
            # Every symbol, repeats included: distinct counts must be exact (approx_count_distinct is a
            # sketch), and the top symbol needs per-symbol counts. A symbol scope needs neither.
            F.collect_list(F.when(is_account, F.col("symbol"))).alias("symbols"),
        )
    )
    return _with_metrics(aggregated)


def _with_metrics(aggregated: DataFrame) -> DataFrame:
    is_account = F.col("scope_kind") == ACCOUNT
    # Sorted, so that the first symbol with the top count is the alphabetically first, as in the TS.
    distinct = F.array_sort(F.array_distinct("symbols"))
    counted = aggregated.select(
        "*",
        distinct.alias("distinct_symbols"),
        F.transform(distinct, lambda s: F.size(F.filter("symbols", lambda x: x == s))).alias("symbol_counts"),
    )
    top_count = F.array_max("symbol_counts")
    top_symbol = F.element_at(
        "distinct_symbols", F.expr("array_position(symbol_counts, array_max(symbol_counts))").cast("int")
    )
    return counted.select(
        "scope_kind",
        "scope_id",
        F.expr("unix_millis(window.start)").alias("window_start"),
        F.expr("unix_millis(window.end)").alias("window_end"),
        "order_count",
        "total_notional",
        (F.col("total_notional") / F.col("order_count")).alias("avg_notional"),
        F.when(is_account, F.size("distinct_symbols"))
        .otherwise(F.lit(1))
        .cast("long")
        .alias("unique_symbols"),
        F.when(is_account, top_symbol).otherwise(F.col("scope_id")).alias("top_symbol"),
        F.when(is_account, top_count / F.col("order_count")).otherwise(F.lit(1.0)).alias("top_symbol_share"),
    )
