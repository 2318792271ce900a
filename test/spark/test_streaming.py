"""The streaming plan itself, with files instead of Kafka: the windows query, the window table and the
applyInPandasWithState step run as real Structured Streaming queries, micro-batch by micro-batch."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from orders_fixture import NOON, order, spread
from riskjob.commands import run_namespace
from riskjob.orders import ORDER_SCHEMA, valid_orders
from riskjob.settings import DetectorSettings
from riskjob.streaming import StreamOptions, output_records, windows_writer
from riskjob.topics import KILL_COMMANDS, RISK_SIGNALS

SECOND = 1_000


def write_batch(directory: Path, sequence: int, rows: list[dict[str, Any]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    file = directory / f"{sequence}.json"
    file.write_text("".join(json.dumps(row) + "\n" for row in rows))
    # The file source takes files oldest first by modification time; files written within the same
    # clock tick would come in any order, and the far-future one first would make the others late.
    os.utime(file, (1_700_000_000 + sequence, 1_700_000_000 + sequence))


def test_one_kill_per_episode_through_both_streaming_queries(
    spark: SparkSession, settings: DetectorSettings, tmp_path: Path
) -> None:
    # Given a straddling burst, the same account over the limit for a minute, and later orders that move
    # event time (and with it the watermark) far enough on for every window of the burst to close
    incoming = tmp_path / "orders"
    first = NOON + 59 * SECOND + 500
    write_batch(incoming, 1, spread(60, first, 5))
    write_batch(incoming, 2, spread(60, first + SECOND, 5) + spread(50, first + 30 * SECOND, 100))
    write_batch(incoming, 3, [order(NOON + 200 * SECOND, account_id="99999")])
    options = StreamOptions(brokers="unused", checkpoint=str(tmp_path / "checkpoint"), available_now=True)
    orders = valid_orders(
        spark.readStream.schema(ORDER_SCHEMA).option("maxFilesPerTrigger", 1).json(str(incoming))
    )

    # When the windows query and then the outputs query run to the end of their input
    windows_writer(orders, settings, options).start().awaitTermination()
    records = output_records(spark, settings, options, run_namespace(options.checkpoint))
    records.writeStream.format("memory").queryName("riskctl_records").option(
        "checkpointLocation", str(tmp_path / "checkpoint" / "memory")
    ).trigger(availableNow=True).start().awaitTermination()

    # Then the account has one KILL in the contract's shape, and a signal for each of its closed windows
    rows = spark.sql("select topic, key, value from riskctl_records").collect()
    kills = [json.loads(r.value) for r in rows if r.topic == KILL_COMMANDS]
    signals = [json.loads(r.value) for r in rows if r.topic == RISK_SIGNALS and r.key == "12345"]
    assert [(k["scope"], k["reason"]) for k in kills] == [
        ("ACCOUNT:12345", "Order rate breach: 120 orders in 60s")
    ]
    assert set(kills[0]) == {
        "cmd_id",
        "ts",
        "scope",
        "action",
        "reason",
        "triggered_by",
        "metric",
        "value",
        "corr_id",
    }
    assert (kills[0]["action"], kills[0]["triggered_by"], kills[0]["metric"]) == (
        "KILL",
        "spark",
        "order_rate_60s",
    )
    assert kills[0]["cmd_id"] != kills[0]["corr_id"]
    assert max(s["order_count"] for s in signals) == 170
    assert set(signals[0]) == {
        "ts",
        "account_id",
        "window_start",
        "window_end",
        "order_count",
        "total_notional",
        "avg_notional",
        "unique_symbols",
        "top_symbol",
        "top_symbol_share",
    }
