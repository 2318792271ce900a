"""The job end to end on a real broker: orders.v1 in, one KILL on killswitch.commands.v1 out.

Runs only with RISKCTL_TEST_BROKERS (test/spark/kafka-roundtrip.sh starts a broker of its own and
creates the topics). Orders go in, and results come back, through Spark's own Kafka connector.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

from pyspark.sql import SparkSession

from orders_fixture import order, spread
from riskjob.commands import run_namespace
from riskjob.settings import DetectorSettings
from riskjob.streaming import StreamOptions, start_streams
from riskjob.topics import KILL_COMMANDS, ORDERS, RISK_SIGNALS

# Run by test/spark/kafka-roundtrip.sh, which starts a broker; `npm run test:spark` leaves this file out.
BROKERS = os.environ.get("RISKCTL_TEST_BROKERS", "")
if not BROKERS:
    raise RuntimeError("needs a broker: run test/spark/kafka-roundtrip.sh")
SECOND = 1_000


def test_a_straddling_burst_on_kafka_gives_one_kill(
    spark: SparkSession, settings: DetectorSettings, tmp_path: Path
) -> None:
    # Given a burst straddling a minute boundary from an account no other test uses, then an order far
    # enough ahead in event time for the burst's windows to close
    account = f"t{uuid.uuid4().hex[:12]}"
    minute = (int(time.time() * 1000) // 60_000 - 3) * 60_000
    rows = spread(60, minute - 500, 5, account) + spread(60, minute + 500, 5, account)
    rows.append(order(minute + 3 * 60 * SECOND, account_id=f"{account}-clock"))
    records = spark.createDataFrame(
        [(r["account_id"], json.dumps(r)) for r in rows], "key string, value string"
    )
    records.write.format("kafka").option("kafka.bootstrap.servers", BROKERS).option("topic", ORDERS).save()

    # When the job runs over what is in the topic
    options = StreamOptions(
        brokers=BROKERS,
        checkpoint=str(tmp_path / "checkpoint"),
        starting_offsets="earliest",
        available_now=True,
    )
    for query in start_streams(spark, settings, options, run_namespace(options.checkpoint)):
        query.awaitTermination()

    # Then the account has exactly one KILL from spark, and signals for its windows
    out = (
        spark.read.format("kafka")
        .option("kafka.bootstrap.servers", BROKERS)
        .option("subscribe", f"{KILL_COMMANDS},{RISK_SIGNALS}")
        .option("startingOffsets", "earliest")
        .load()
        .selectExpr("topic", "cast(key as string) as key", "cast(value as string) as value")
        .where(f"key in ('ACCOUNT:{account}', '{account}')")
        .collect()
    )
    kills = [json.loads(r.value) for r in out if r.topic == KILL_COMMANDS]
    assert [(k["action"], k["triggered_by"], k["reason"]) for k in kills] == [
        ("KILL", "spark", "Order rate breach: 120 orders in 60s")
    ]
    assert any(r.topic == RISK_SIGNALS for r in out)
