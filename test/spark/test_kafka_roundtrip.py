"""The job end to end on a real broker: orders.v1 and killswitch.state.v1 in, KILLs on
killswitch.commands.v1 and signals on risk_signals.v1 out.

Runs only with RISKCTL_TEST_BROKERS (test/spark/kafka-roundtrip.sh starts a broker of its own and
creates the topics, orders.v1 with message.timestamp.type=LogAppendTime). Records go in, and results come
back, through Spark's own Kafka connector. The broker stamps each order with the time it appended it,
which is the job's event time: the orders' own ts, as their clients wrote them, can be anything.
"""

from __future__ import annotations

import json
import math
import os
import time
import uuid
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from orders_fixture import spread
from riskjob.commands import run_namespace
from riskjob.settings import DetectorSettings
from riskjob.streaming import StreamOptions, start_streams
from riskjob.topics import KILL_COMMANDS, KILL_STATE, ORDERS, RISK_SIGNALS

# Run by test/spark/kafka-roundtrip.sh, which starts a broker; `npm run test:spark` leaves this file out.
BROKERS = os.environ.get("RISKCTL_TEST_BROKERS", "")
if not BROKERS:
    raise RuntimeError("needs a broker: run test/spark/kafka-roundtrip.sh")
SECOND = 1_000
# The Kafka source's timestampType for a timestamp the broker set (0 is CreateTime, the producer's).
LOG_APPEND_TIME = 1


def produce(spark: SparkSession, topic: str, records: list[tuple[str, dict[str, Any]]]) -> None:
    frame = spark.createDataFrame(
        [(key, json.dumps(value)) for key, value in records], "key string, value string"
    )
    frame.write.format("kafka").option("kafka.bootstrap.servers", BROKERS).option("topic", topic).save()


def orders_of(account_id: str, count: int, clock_ms: int) -> list[dict[str, Any]]:
    """`count` orders spread over ten symbols, their ts from a client clock `clock_ms` off the broker's."""
    rows = spread(count, int(time.time() * 1000) + clock_ms, 5)
    return [{**row, "account_id": account_id, "order_id": f"o-{uuid.uuid4().hex}"} for row in rows]


def sleep_past_next_second() -> None:
    now = time.time()
    time.sleep(math.ceil(now) - now + 0.1)


def test_kills_on_kafka_and_follows_the_operators_unkill(
    spark: SparkSession, settings: DetectorSettings, tmp_path: Path
) -> None:
    # Given a runaway of 120 from an account no other test uses, spelled in capitals with spaces around,
    # whose client's clock is five minutes slow; a second account's 150 orders, an operator's UNKILL of it
    # once they are in (on the state topic), then 50 more -- its client's clock is three minutes fast, so
    # by their own ts all 200 would come after the UNKILL; and a third account's burst of 150 while an
    # operator's KILL of it stands
    account, forgiven = f"t{uuid.uuid4().hex[:12]}", f"u{uuid.uuid4().hex[:12]}"
    killed = f"k{uuid.uuid4().hex[:12]}"
    produce(spark, ORDERS, [(account, r) for r in orders_of(f" {account.upper()} ", 120, -5 * 60 * SECOND)])
    produce(spark, ORDERS, [(forgiven, r) for r in orders_of(forgiven, 150, 3 * 60 * SECOND)])
    produce(spark, ORDERS, [(killed, r) for r in orders_of(killed, 150, 0)])
    time.sleep(0.2)
    unkill = {
        "scope": f"ACCOUNT:{forgiven}",
        "status": "ACTIVE",
        "updated_ts": int(time.time() * 1000),
        "updated_by": "ops",
        "reason": "reviewed",
        "last_cmd_id": str(uuid.uuid4()),
        "corr_id": str(uuid.uuid4()),
    }
    kill = {**unkill, "scope": f"ACCOUNT:{killed}", "status": "KILLED", "reason": "halted by ops"}
    produce(spark, KILL_STATE, [(unkill["scope"], unkill), (kill["scope"], kill)])
    # In a window that starts after the UNKILL: the windows before it are forgiven
    sleep_past_next_second()
    produce(spark, ORDERS, [(forgiven, r) for r in orders_of(forgiven, 50, 3 * 60 * SECOND)])

    # When the job runs over what is in the topics, with no later order to move the watermark
    options = StreamOptions(
        brokers=BROKERS,
        checkpoint=str(tmp_path / "checkpoint"),
        starting_offsets="earliest",
        available_now=True,
    )
    for query in start_streams(spark, settings, options, run_namespace(options.checkpoint)):
        query.awaitTermination()

    # Then the first account has exactly one KILL from spark, in its canonical scope, and signals; the
    # unkilled one has none: its orders before the UNKILL are forgiven, and the 50 after it are under the
    # limit; the killed one has none either (it is KILLED already), though its signals still flow
    out = (
        spark.read.format("kafka")
        .option("kafka.bootstrap.servers", BROKERS)
        .option("subscribe", f"{KILL_COMMANDS},{RISK_SIGNALS}")
        .option("startingOffsets", "earliest")
        .load()
        .selectExpr("topic", "cast(key as string) as key", "cast(value as string) as value")
        .where(f"key in ('ACCOUNT:{account}', '{account}', 'ACCOUNT:{forgiven}', 'ACCOUNT:{killed}', '{killed}')")
        .collect()
    )
    kills = [json.loads(r.value) for r in out if r.topic == KILL_COMMANDS]
    assert [(k["scope"], k["action"], k["triggered_by"], k["reason"]) for k in kills] == [
        (f"ACCOUNT:{account}", "KILL", "spark", "Order rate breach: 120 orders in 60s")
    ]
    assert any(r.topic == RISK_SIGNALS and r.key == account for r in out)
    assert any(r.topic == RISK_SIGNALS and r.key == killed for r in out)
    # And every order carries the broker's append time, not the time its client gave it
    stamped = (
        spark.read.format("kafka")
        .option("kafka.bootstrap.servers", BROKERS)
        .option("subscribe", ORDERS)
        .option("startingOffsets", "earliest")
        .load()
        .select("timestampType")
        .distinct()
        .collect()
    )
    assert [r.timestampType for r in stamped] == [LOG_APPEND_TIME]
