"""The streaming job: two queries joined by a window table, because Spark 3.5 refuses a stateful step
(applyInPandasWithState) after an aggregation in the same query.

  windows:  orders.v1 -> watermark -> window_metrics -> <checkpoint>/windows-data (parquet, append)
  outputs:  windows-data -> risk_signals.v1 (account windows)
                         + killswitch.commands.v1 (applyInPandasWithState: one KILL per episode)

The file sink commits each batch atomically through its metadata log and the file source reads
whole committed batches, so the outputs query sees every closed window once, in window-end order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Mapping

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming.query import StreamingQuery
from pyspark.sql.streaming.readwriter import DataStreamWriter

from .orders import parse_orders, with_watermark
from .records import kill_records, signal_records
from .settings import DetectorSettings
from .stateful import kill_commands_stream
from .topics import ORDERS
from .windows import WINDOW_SCHEMA, window_metrics


@dataclass(frozen=True)
class StreamOptions:
    brokers: str
    checkpoint: str
    starting_offsets: str = "latest"
    trigger_ms: int = 1000
    # Extra Kafka client settings (TLS, SASL, MSK IAM) as `kafka.`-prefixed source/sink options.
    kafka_options: Mapping[str, str] = field(default_factory=dict)
    # Process what is in the topic, then stop: for tests and one-off replays.
    available_now: bool = False

    @property
    def windows_data(self) -> str:
        return f"{self.checkpoint}/windows-data"


def start_streams(
    spark: SparkSession, settings: DetectorSettings, options: StreamOptions, namespace: uuid.UUID
) -> list[StreamingQuery]:
    windows = windows_writer(kafka_orders(spark, options), settings, options).start()
    if options.available_now:
        # The outputs query reads what the windows query wrote: let that finish first.
        windows.awaitTermination()
    records = output_records(spark, settings, options, namespace)
    return [windows, kafka_writer(records, options).start()]


def kafka_orders(spark: SparkSession, options: StreamOptions) -> DataFrame:
    source = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", options.brokers)
        .option("subscribe", ORDERS)
        .option("startingOffsets", options.starting_offsets)
        # A topic recreated by `riskctl topics create` must not stop the detector.
        .option("failOnDataLoss", "false")
        .options(**options.kafka_options)
        .load()
    )
    return parse_orders(source)


def windows_writer(orders: DataFrame, settings: DetectorSettings, options: StreamOptions) -> DataStreamWriter:
    windows = window_metrics(with_watermark(orders, settings), settings)
    writer = (
        windows.writeStream.queryName("riskctl_windows")
        .format("parquet")
        .option("path", options.windows_data)
        .option("checkpointLocation", f"{options.checkpoint}/windows")
        .outputMode("append")
    )
    return _triggered(writer, options)


def output_records(
    spark: SparkSession, settings: DetectorSettings, options: StreamOptions, namespace: uuid.UUID
) -> DataFrame:
    """Signals and KILL commands as (topic, key, value) records, from the closed windows."""
    windows = spark.readStream.schema(WINDOW_SCHEMA).parquet(options.windows_data)
    kills = kill_commands_stream(windows, settings, namespace)
    return signal_records(windows).unionByName(kill_records(kills))


def kafka_writer(records: DataFrame, options: StreamOptions) -> DataStreamWriter:
    writer = (
        records.writeStream.queryName("riskctl_outputs")
        .format("kafka")
        .option("kafka.bootstrap.servers", options.brokers)
        .option("checkpointLocation", f"{options.checkpoint}/outputs")
        .options(**options.kafka_options)
        .outputMode("append")
    )
    return _triggered(writer, options)


def _triggered(writer: DataStreamWriter, options: StreamOptions) -> DataStreamWriter:
    if options.available_now:
        return writer.trigger(availableNow=True)
    return writer.trigger(processingTime=f"{options.trigger_ms} milliseconds")
