"""killswitch.state.v1 for the episode step, read once per micro-batch from where the last batch stopped.

The step needs two things from the state topic. Which scopes an operator set ACTIVE, and when
(updated_ts): only UNKILL makes a scope ACTIVE, and only an operator may UNKILL, so that ends an
episode. And which scopes are KILLED now: as the in-process detector does, the job asks for no KILL of
a scope that is already KILLED, by an operator or by an earlier episode. Each batch reads the records
after the positions stored with the previous episode version, up to the end of the topic, and stores
the new positions and the KILLED scopes with its own. The first batch of a run reads the compacted
topic from the start: the newest state of every scope.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Protocol, Tuple

from pyspark.sql import DataFrame, SparkSession

from .metrics import ACCOUNT, SYMBOL
from .topics import KILL_STATE

ACTIVE = "ACTIVE"
KILLED = "KILLED"
# The detector's scopes; an UNKILL of a strategy or of everything concerns no window of it.
DETECTOR_SCOPE_KINDS = (ACCOUNT, SYMBOL)

Unkill = tuple[str, str, int]
# A record of the state topic as read: its key (the scope) and its value (None for a tombstone).
StateRecord = Tuple[Optional[str], Optional[bytes]]


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


def killed_scopes(killed: Iterable[str], records: Iterable[StateRecord]) -> list[str]:
    """The detector scopes KILLED once `records` (in offset order) follow the set `killed`: a KILLED
    state adds its scope; any other state, or a tombstone, removes it. Malformed values change nothing."""
    current = set(killed)
    for key, value in records:
        if value is None:
            if key is not None:
                current.discard(key)
            continue
        try:
            state = json.loads(value)
        except ValueError:
            continue
        if not isinstance(state, dict) or not isinstance(state.get("scope"), str):
            continue
        scope = state["scope"]
        if scope.partition(":")[0] not in DETECTOR_SCOPE_KINDS:
            continue
        if state.get("status") == KILLED:
            current.add(scope)
        else:
            current.discard(scope)
    return sorted(current)


class StateSource(Protocol):
    def read(self, positions: Mapping[str, int]) -> tuple[list[StateRecord], dict[str, int]]: ...


@dataclass(frozen=True)
class OperatorStates:
    """The state topic on the job's brokers."""

    spark: SparkSession
    brokers: str
    kafka_options: Mapping[str, str] = field(default_factory=dict)

    def read(self, positions: Mapping[str, int]) -> tuple[list[StateRecord], dict[str, int]]:
        """The records after `positions` (partition -> next offset) in offset order, and the positions reached."""
        columns = ("partition", "offset", "key", "value")
        try:
            rows = self._records(positions).select(*columns).collect()
        except Exception as error:  # noqa: BLE001 (the connector's errors arrive as Py4J's)
            # A partition added since: Spark wants every partition named, so read all and skip the known.
            if not positions or "TopicPartitions" not in str(error):
                raise
            every = self._records({}).select(*columns).collect()
            rows = [r for r in every if r.offset >= positions.get(str(r.partition), 0)]
        reached = dict(positions)
        for row in rows:
            reached[str(row.partition)] = max(reached.get(str(row.partition), 0), int(row.offset) + 1)
        # The state topic is small and changes only on kills and unkills: few enough for the driver.
        # A scope's records share a partition (the key is the scope), so offset order is its history.
        ordered = sorted(rows, key=lambda row: (int(row.partition), int(row.offset)))
        return [(_text(row.key), None if row.value is None else bytes(row.value)) for row in ordered], reached

    def _records(self, positions: Mapping[str, int]) -> DataFrame:
        start = json.dumps({KILL_STATE: dict(positions)}) if positions else "earliest"
        return (
            self.spark.read.format("kafka")
            .option("kafka.bootstrap.servers", self.brokers)
            .option("subscribe", KILL_STATE)
            .option("startingOffsets", start)
            .option("endingOffsets", "latest")
            # The aggregator writes states in transactions: an aborted one's records are no state at all.
            .option("kafka.isolation.level", "read_committed")
            .option("failOnDataLoss", "false")
            .options(**self.kafka_options)
            .load()
        )


def _text(key: bytes | bytearray | None) -> str | None:
    return None if key is None else bytes(key).decode("utf-8", errors="replace")
