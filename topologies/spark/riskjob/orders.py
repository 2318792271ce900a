"""orders.v1 as the job reads it: each log record to the order the in-process detector judges, or to nothing.

src/processors/detector-input.ts (detectorOrderOf) is the other side: a record the router would dead-letter
(decodeJson with orderSchema, src/contracts/) is not counted, identifiers are in their canonical form
(riskjob/identifiers.py), and event time is the time the log appended the record -- orders.v1 is created
with message.timestamp.type=LogAppendTime, so the broker stamps it. The order's own `ts` comes from the
client's clock: as event time, a clock minutes off either way would hide its account from its windows or,
by moving the watermark, make everyone else's orders late. It is checked as the contract says and kept
only as data.
"""

from __future__ import annotations

from typing import Optional, Tuple

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from .identifiers import ACCOUNT, ORDER_ID, STRATEGY, SYMBOL, canonical_id
from .settings import DetectorSettings

# Numbers as doubles, as JSON.parse reads them: 10.0 and 1e1 are the integer 10 to the contract, and a
# long column would refuse both. Integral and range checks come after (see _is_valid).
ORDER_SCHEMA = StructType(
    [
        StructField("order_id", StringType()),
        StructField("ts", DoubleType()),
        StructField("account_id", StringType()),
        StructField("symbol", StringType()),
        StructField("side", StringType()),
        StructField("qty", DoubleType()),
        StructField("price", DoubleType()),
        StructField("strategy", StringType()),
    ]
)
# What JSON.parse refuses and Spark's JSON reader would otherwise take: 'single quotes', NaN and Infinity.
JSON_OPTIONS = {"allowSingleQuotes": "false", "allowNonNumericNumbers": "false"}

# A log record as the tests and the parity fixture keep it: {"timestamp": <append ms>, "value": "<text>"}.
RECORD_SCHEMA = "timestamp long, value string"

EVENT_TIME = "event_time"
# MAX_RECORD_BYTES in src/contracts/decode.ts.
MAX_RECORD_BYTES = 32 * 1024
# Number.MAX_SAFE_INTEGER: zod's int() takes no integer beyond it.
MAX_SAFE_INTEGER = 2**53 - 1

IDENTIFIERS = (("order_id", ORDER_ID), ("account_id", ACCOUNT), ("symbol", SYMBOL), ("strategy", STRATEGY))
CANONICAL_SCHEMA = StructType([StructField(field, StringType()) for field, _ in IDENTIFIERS])


def _canonical_ids(
    order_id: Optional[str], account_id: Optional[str], symbol: Optional[str], strategy: Optional[str]
) -> Tuple[Optional[str], ...]:
    raws = (order_id, account_id, symbol, strategy)
    return tuple(canonical_id(kind, raw) for (_, kind), raw in zip(IDENTIFIERS, raws))


# Spark SQL has no NFKC: one Python call per record, for its four identifiers and nothing else. Marked
# nondeterministic, which it is not, because the optimizer pushes a filter below a projection only when
# the projection is deterministic: pushed below, the checks would each parse the JSON again, and a filter
# on the identifiers would run the UDF a second time.
canonical_ids = F.udf(_canonical_ids, CANONICAL_SCHEMA).asNondeterministic()


def file_records(rows: DataFrame) -> DataFrame:
    """Rows of RECORD_SCHEMA as the Kafka source gives records: the value, and the append time as a
    timestamp."""
    return rows.select("value", F.expr("timestamp_millis(`timestamp`)").alias("timestamp"))


def parse_orders(records: DataFrame) -> DataFrame:
    """Log records (`value`, and `timestamp`: when the log appended it) to the valid orders among them."""
    text = F.col("value").cast("string")
    parsed = records.select(
        F.col("timestamp").alias(EVENT_TIME),
        F.octet_length("value").alias("bytes"),
        text.alias("text"),
        F.from_json(text, ORDER_SCHEMA, JSON_OPTIONS).alias("order"),
    )
    raw_ids = [F.col(f"order.{field}") for field, _ in IDENTIFIERS]
    with_ids = parsed.select("*", canonical_ids(*raw_ids).alias("id"))
    return with_ids.where(_is_valid()).select(
        "id.order_id",
        F.col("order.ts").cast("long").alias("ts"),
        "id.account_id",
        "id.symbol",
        "order.side",
        F.col("order.qty").cast("long").alias("qty"),
        "order.price",
        "id.strategy",
        EVENT_TIME,
    )


def with_watermark(orders: DataFrame, settings: DetectorSettings) -> DataFrame:
    """Event time with the same lateness bound as the in-process detector's allowedLatenessMs."""
    return orders.withWatermark(EVENT_TIME, f"{settings.allowed_lateness_ms} milliseconds")


def _is_valid() -> Column:
    """orderSchema and decodeJson: the record's size, its JSON, every field's type and range, and the
    identifiers' spelling (canonical_ids gives null for one that canonicalId refuses)."""
    order = {field.name: F.col(f"order.{field.name}") for field in ORDER_SCHEMA.fields}
    ts, qty, price = order["ts"], order["qty"], order["price"]
    checks = [
        F.col(EVENT_TIME).isNotNull(),
        F.col("bytes") <= MAX_RECORD_BYTES,
        _is_one_object(),
        *[column.isNotNull() for column in order.values()],
        *[_was_a_string(field) for field, _ in IDENTIFIERS],
        *[F.col(f"id.{field}").isNotNull() for field, _ in IDENTIFIERS],
        order["side"].isin("BUY", "SELL"),
        ts >= 0,
        _is_safe_integer(ts),
        qty > 0,
        _is_safe_integer(qty),
        price > 0,
        price < float("inf"),
    ]
    return _all(checks)


def _is_one_object() -> Column:
    """One JSON object and nothing after it: JSON.parse refuses trailing text, Spark's reader stops after
    the first value. Text that could be two objects in a row is read once more, as the elements of an
    array, which is one element only if it was one object."""
    text = F.col("text")
    one = text.rlike(r"(?s)^[ \t\n\r]*\{.*\}[ \t\n\r]*\z")
    elements = F.size(F.from_json(F.concat(F.lit("["), text, F.lit("]")), "array<string>", JSON_OPTIONS))
    return one & F.when(text.rlike(r"\}[ \t\n\r]*\{"), elements == 1).otherwise(True)


def _is_safe_integer(number: Column) -> Column:
    # An infinity's remainder is NaN, which equals nothing.
    return ((number % 1) == 0) & (F.abs(number) <= MAX_SAFE_INTEGER)


def _was_a_string(field: str) -> Column:
    """Whether the record's field was a JSON string, as the contract requires.

    Spark reads any JSON value into a string column, as its JSON text: 12345, true, {"a":1}. Where the
    text could be such a value, the field is read once more as that type, which only such a value passes
    (the JSON string "12345" is no double). Most identifiers look like no other value and are read once.
    """
    text = F.col(f"order.{field}")
    probes = (
        (text.rlike(r'^(-|[0-9]|"-?Infinity"$)'), "double"),
        (text.isin("true", "false"), "boolean"),
        (text.startswith("{"), "map<string,string>"),
        (text.startswith("["), "array<string>"),
    )
    other = [
        F.when(looks, F.from_json("text", f"`{field}` {kind}", JSON_OPTIONS)[field].isNotNull()).otherwise(
            False
        )
        for looks, kind in probes
    ]
    return ~_any(other)


def _all(checks: list[Column]) -> Column:
    result = checks[0]
    for check in checks[1:]:
        result = result & check
    return result


def _any(checks: list[Column]) -> Column:
    result = checks[0]
    for check in checks[1:]:
        result = result | check
    return result
