"""The job end to end on a real broker: orders.v1 and killswitch.state.v1 in, KILLs on
killswitch.commands.v1 and signals on risk_signals.v1 out.

Runs only with RISKCTL_TEST_BROKERS (test/spark/kafka-roundtrip.sh starts a broker of its own and
creates the topics). Records go in, and results come back, through Spark's own Kafka connector.
"""

from __future__ import annotations

import json
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


def produce(spark: SparkSession, topic: str, records: list[tuple[str, dict[str, Any]]]) -> None:
    frame = spark.createDataFrame(
        [(key, json.dumps(value)) for key, value in records], "key string, value string"
    )
    frame.write.format("kafka").option("kafka.bootstrap.servers", BROKERS).option("topic", topic).save()


def test_kills_on_kafka_and_follows_the_operators_unkill(
    spark: SparkSession, settings: DetectorSettings, tmp_path: Path
) -> None:
    # Given a burst straddling a minute boundary from an account no other test uses, and a second
    # account's burst of 150 that an operator unkilled right after it (on the state topic), then 50 more,
    # and a third account's burst of 150 while an operator's KILL of it stands
    account, forgiven = f"t{uuid.uuid4().hex[:12]}", f"u{uuid.uuid4().hex[:12]}"
    killed = f"k{uuid.uuid4().hex[:12]}"
    minute = (int(time.time() * 1000) // 60_000 - 3) * 60_000
    rows = spread(60, minute - 500, 5, account) + spread(60, minute + 500, 5, account)
    rows += spread(150, minute + 10 * SECOND, 5, forgiven) + spread(50, minute + 12 * SECOND, 5, forgiven)
    rows += spread(150, minute + 20 * SECOND, 5, killed)
    produce(spark, ORDERS, [(r["account_id"], r) for r in rows])
    unkill = {
        "scope": f"ACCOUNT:{forgiven}",
        "status": "ACTIVE",
        "updated_ts": minute + 11 * SECOND,
        "updated_by": "ops",
        "reason": "reviewed",
        "last_cmd_id": str(uuid.uuid4()),
        "corr_id": str(uuid.uuid4()),
    }
    kill = {**unkill, "scope": f"ACCOUNT:{killed}", "status": "KILLED", "reason": "halted by ops"}
    produce(spark, KILL_STATE, [(unkill["scope"], unkill), (kill["scope"], kill)])

    # When the job runs over what is in the topics, with no later order to move the watermark
    options = StreamOptions(
        brokers=BROKERS,
        checkpoint=str(tmp_path / "checkpoint"),
        starting_offsets="earliest",
        available_now=True,
    )
    for query in start_streams(spark, settings, options, run_namespace(options.checkpoint)):
        query.awaitTermination()

    # Then the first account has exactly one KILL from spark, and signals; the unkilled one has none: its
    # orders before the UNKILL are forgiven, and the 50 after it are under the limit; the killed one has
    # none either (it is KILLED already), though its signals still flow
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
    assert any(r.topic == RISK_SIGNALS for r in out)
    assert any(r.topic == RISK_SIGNALS and r.key == killed for r in out)
