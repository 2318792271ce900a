"""The streaming job: ONE query, windows in update mode, the episode step in foreachBatch.

  orders.v1 -> watermark -> window_metrics (update mode: each micro-batch brings the windows its orders
  changed) -> foreachBatch:  episode state of the previous batch + killswitch.state.v1 since then
                              -> risk_signals.v1 (each account's current window)
                              +  killswitch.commands.v1 (one KILL per episode, none for a KILLED scope)
                              -> episode state of this batch (<checkpoint>/episodes)

Update mode is what lets a KILL leave in the micro-batch that carries the breaching order: in append mode
a window comes out only once the watermark passes its end, which needs later orders (topologies/spark/
WINDOWS.md). Spark 3.5 allows no stateful step (applyInPandasWithState) after an aggregation in one query,
and no file sink in update mode, so the episode state lives beside the checkpoint, one file per batch id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Callable, Mapping

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming.query import StreamingQuery
from pyspark.sql.streaming.readwriter import DataStreamWriter

from .episode_store import EpisodeStore, EpisodeVersion
from .episodes import current_window_end
from .operator_states import OperatorStates, StateSource, killed_scopes, unkills_from_states
from .orders import parse_orders, with_watermark
from .records import kill_records, signal_records
from .settings import DetectorSettings
from .stateful import (
    KILL_ROW,
    carried_frame,
    kills_of,
    signals_of,
    states_of,
    step_stream,
    without_signals,
)
from .topics import ORDERS
from .windows import window_metrics

QUERY_NAME = "riskctl_detector"

Sink = Callable[[DataFrame], None]
Say = Callable[[str], None]


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
    def episodes(self) -> str:
        return f"{self.checkpoint}/episodes"


@dataclass(frozen=True)
class DetectorBatch:
    """foreachBatch: one micro-batch of updated windows to signals, KILLs and the next episode version."""

    settings: DetectorSettings
    namespace: uuid.UUID
    store: EpisodeStore
    sink: Sink
    # None: the job follows no state topic (tests that have no broker).
    operator_states: StateSource | None
    say: Say = print

    def __call__(self, updates: DataFrame, batch_id: int) -> None:
        updates = updates.persist()
        try:
            newest = updates.agg(F.max("window_end")).first()
            if newest is None or newest[0] is None:
                # A batch without orders, run because the watermark moved: nothing changed to judge.
                return
            self._judge(updates, batch_id, current_window_end(int(newest[0]), self.settings))
        finally:
            updates.unpersist()

    def _judge(self, updates: DataFrame, batch_id: int, now_end: int) -> None:
        previous = self.store.latest_before(batch_id)
        positions, unkills, killed = previous.positions, [], list(previous.killed)
        if self.operator_states is not None:
            records, positions = self.operator_states.read(positions)
            unkills = unkills_from_states(value for _, value in records)
            killed = killed_scopes(killed, records)
        released = set(previous.killed) - set(killed)
        carried = carried_frame(updates.sparkSession, previous.scopes, unkills, released)
        stepped = step_stream(updates, carried, now_end, self.settings, self.namespace).persist()
        try:
            # KILLs and states are few (scopes in or near a breach); signals, one per active account, are not.
            kept = without_signals(stepped).collect()
            # The episode opens all the same: a KILLED scope is not asked again until a quiet window or an
            # operator's UNKILL ends its episode.
            kills = kills_of(stepped).where(~F.col("scope").isin(killed)) if killed else kills_of(stepped)
            # KILLs out before the state that remembers them: a crash in between replays the batch, and
            # the replay re-sends the same command ids.
            self.sink(signal_records(signals_of(stepped)).unionByName(kill_records(kills)))
            self.store.write(batch_id, EpisodeVersion(positions, states_of(kept), killed))
        finally:
            stepped.unpersist()
        for row in kept:
            if row["row"] == KILL_ROW:
                already = " (already KILLED: not sent)" if row["scope"] in killed else ""
                self.say(f"risk_detector: batch {batch_id}: KILL {row['scope']}: {row['reason']}{already}")


def start_streams(
    spark: SparkSession, settings: DetectorSettings, options: StreamOptions, namespace: uuid.UUID
) -> list[StreamingQuery]:
    batch = DetectorBatch(
        settings=settings,
        namespace=namespace,
        store=EpisodeStore(spark, options.episodes),
        sink=kafka_sink(options),
        operator_states=OperatorStates(spark, options.brokers, options.kafka_options),
        say=lambda line: print(line, flush=True),
    )
    return [detector_writer(kafka_orders(spark, options), settings, options, batch).start()]


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


def detector_writer(
    orders: DataFrame, settings: DetectorSettings, options: StreamOptions, batch: DetectorBatch
) -> DataStreamWriter:
    windows = window_metrics(with_watermark(orders, settings), settings)
    writer = (
        windows.writeStream.queryName(QUERY_NAME)
        .outputMode("update")
        .option("checkpointLocation", f"{options.checkpoint}/detector")
        .foreachBatch(batch)
    )
    return _triggered(writer, options)


def kafka_sink(options: StreamOptions) -> Sink:
    def write(records: DataFrame) -> None:
        (
            records.write.format("kafka")
            .option("kafka.bootstrap.servers", options.brokers)
            .options(**options.kafka_options)
            .save()
        )

    return write


def _triggered(writer: DataStreamWriter, options: StreamOptions) -> DataStreamWriter:
    if options.available_now:
        return writer.trigger(availableNow=True)
    return writer.trigger(processingTime=f"{options.trigger_ms} milliseconds")
