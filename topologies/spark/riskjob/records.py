"""Kafka records (topic, key, value) in the JSON contracts of src/contracts/messages.ts."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from .commands import TRIGGERED_BY
from .metrics import ACCOUNT
from .topics import KILL_COMMANDS, RISK_SIGNALS

# A null must be written as null: the contract's top_symbol is nullable, not optional.
JSON_OPTIONS = {"ignoreNullFields": "false"}


def signal_records(windows: DataFrame) -> DataFrame:
    """One risk signal per account window given (with the `ts` it was judged at), keyed by account like
    the in-process detector's."""
    signal = F.struct(
        "ts",
        F.col("scope_id").alias("account_id"),
        "window_start",
        "window_end",
        "order_count",
        "total_notional",
        "avg_notional",
        "unique_symbols",
        "top_symbol",
        "top_symbol_share",
    )
    return windows.where(F.col("scope_kind") == ACCOUNT).select(
        F.lit(RISK_SIGNALS).alias("topic"),
        F.col("scope_id").alias("key"),
        F.to_json(signal, JSON_OPTIONS).alias("value"),
    )


def kill_records(kills: DataFrame) -> DataFrame:
    """KILL commands keyed by scope. The action is spelled out here, never taken from data."""
    command = F.struct(
        "cmd_id",
        "ts",
        "scope",
        F.lit("KILL").alias("action"),
        "reason",
        F.lit(TRIGGERED_BY).alias("triggered_by"),
        "metric",
        "value",
        "corr_id",
    )
    return kills.select(
        F.lit(KILL_COMMANDS).alias("topic"),
        F.col("scope").alias("key"),
        F.to_json(command, JSON_OPTIONS).alias("value"),
    )
