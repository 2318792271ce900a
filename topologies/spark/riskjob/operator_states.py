"""Operator UNKILLs from killswitch.state.v1, read once per micro-batch from where the last batch stopped.

What the episode step needs from the state topic is only which scopes an operator set ACTIVE, and when
(updated_ts): only UNKILL makes a scope ACTIVE, and only an operator may UNKILL. Each batch reads the
records after the positions stored with the previous episode version, up to the end of the topic, and
stores the new positions with its own. The first batch of a run reads the compacted topic from the
start: the newest state of every scope.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Protocol

from pyspark.sql import DataFrame, SparkSession

from .metrics import ACCOUNT, SYMBOL
from .topics import KILL_STATE

ACTIVE = "ACTIVE"
# The detector's scopes; an UNKILL of a strategy or of everything concerns no window of it.
DETECTOR_SCOPE_KINDS = (ACCOUNT, SYMBOL)

Unkill = tuple[str, str, int]


def unkills_from_states(values: Iterable[bytes | str | None]) -> list[Unkill]:
    """kill-state record values to (scope_kind, scope_id, updated_ts): the newest UNKILL per detector
    scope. Tombstones, malformed values and other statuses say nothing about an UNKILL."""
    newest: dict[tuple[str, str], int] = {}
    for value in values:
        if value is None:
            continue
        try:
            state = json.loads(value)
        except ValueError:
            continue
        if not isinstance(state, dict) or state.get("status") != ACTIVE:
            continue
        scope, updated_ts = state.get("scope"), state.get("updated_ts")
        if not isinstance(scope, str) or isinstance(updated_ts, bool) or not isinstance(updated_ts, int):
            continue
        kind, sep, scope_id = scope.partition(":")
        if not sep or kind not in DETECTOR_SCOPE_KINDS or not scope_id:
            continue
        newest[(kind, scope_id)] = max(updated_ts, newest.get((kind, scope_id), updated_ts))
    return [(kind, scope_id, ts) for (kind, scope_id), ts in sorted(newest.items())]


class UnkillSource(Protocol):
    def read(self, positions: Mapping[str, int]) -> tuple[list[Unkill], dict[str, int]]: ...


@dataclass(frozen=True)
class OperatorStates:
    """The state topic on the job's brokers."""

    spark: SparkSession
    brokers: str
    kafka_options: Mapping[str, str] = field(default_factory=dict)

    def read(self, positions: Mapping[str, int]) -> tuple[list[Unkill], dict[str, int]]:
        """UNKILLs after `positions` (partition -> next offset), and the positions reached."""
        try:
            rows = self._records(positions).select("partition", "offset", "value").collect()
        except Exception as error:  # noqa: BLE001 (the connector's errors arrive as Py4J's)
            # A partition added since: Spark wants every partition named, so read all and skip the known.
            if not positions or "TopicPartitions" not in str(error):
                raise
            every = self._records({}).select("partition", "offset", "value").collect()
            rows = [r for r in every if r.offset >= positions.get(str(r.partition), 0)]
        reached = dict(positions)
        for row in rows:
            reached[str(row.partition)] = max(reached.get(str(row.partition), 0), int(row.offset) + 1)
        # The state topic is small and an UNKILL rare: the records are few enough for the driver.
        values = (None if row.value is None else bytes(row.value) for row in rows)
        return unkills_from_states(values), reached

    def _records(self, positions: Mapping[str, int]) -> DataFrame:
        start = json.dumps({KILL_STATE: dict(positions)}) if positions else "earliest"
        return (
            self.spark.read.format("kafka")
            .option("kafka.bootstrap.servers", self.brokers)
            .option("subscribe", KILL_STATE)
            .option("startingOffsets", start)
            .option("endingOffsets", "latest")
            .option("failOnDataLoss", "false")
            .options(**self.kafka_options)
            .load()
        )
