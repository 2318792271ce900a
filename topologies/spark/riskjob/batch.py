"""The job's transforms on a recorded order stream instead of Kafka: the parity test's Spark side."""

from __future__ import annotations

import uuid

from pyspark.sql import DataFrame, SparkSession

from .orders import RECORD_SCHEMA, file_records, parse_orders
from .settings import DetectorSettings
from .stateful import kill_commands_batch
from .windows import window_metrics


def read_orders_file(spark: SparkSession, path: str) -> DataFrame:
    """orders.v1 records as JSON lines, one {"timestamp": <append ms>, "value": "<record text>"} per line,
    through the parse the Kafka source's records go through."""
    return parse_orders(file_records(spark.read.schema(RECORD_SCHEMA).json(path)))


def detect_batch(orders: DataFrame, settings: DetectorSettings, namespace: uuid.UUID) -> DataFrame:
    """The same windows and episodes the streaming job computes, over a finished stream as one micro-batch.
    No watermark is needed: every window is complete, so every value is the window's final one."""
    return kill_commands_batch(window_metrics(orders, settings), settings, namespace)
