"""orders.v1 as the job reads it: the orders contract of src/contracts/messages.ts."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

from .settings import DetectorSettings

ORDER_SCHEMA = StructType(
    [
        StructField("order_id", StringType()),
        StructField("ts", LongType()),
        StructField("account_id", StringType()),
        StructField("symbol", StringType()),
        StructField("side", StringType()),
        StructField("qty", LongType()),
        StructField("price", DoubleType()),
        StructField("strategy", StringType()),
    ]
)

EVENT_TIME = "event_time"


def parse_orders(records: DataFrame) -> DataFrame:
    """Kafka records (a `value` column of JSON) to valid orders."""
    parsed = records.select(F.from_json(F.col("value").cast("string"), ORDER_SCHEMA).alias("order"))
    return valid_orders(parsed.select("order.*"))


def valid_orders(orders: DataFrame) -> DataFrame:
    """Drops what the contract rejects: malformed orders are the router's to dead-letter, not ours."""
    return orders.where(_is_valid()).withColumn(EVENT_TIME, F.expr("timestamp_millis(ts)"))


def with_watermark(orders: DataFrame, settings: DetectorSettings) -> DataFrame:
    """Event time with the same lateness bound as the in-process detector's allowedLatenessMs."""
    return orders.withWatermark(EVENT_TIME, f"{settings.allowed_lateness_ms} milliseconds")


def _is_valid() -> Column:
    present = [F.col(name).isNotNull() for name in ("ts", "account_id", "symbol", "qty", "price")]
    checks = present + [
        F.col("ts") >= 0,
        F.length("account_id") > 0,
        F.length("symbol") > 0,
        F.col("qty") > 0,
        F.col("price") > 0,
    ]
    valid = checks[0]
    for check in checks[1:]:
        valid = valid & check
    return valid
