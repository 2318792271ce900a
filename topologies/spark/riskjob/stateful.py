"""The episode step on Spark: a cogroup of the batch's updated windows with the scopes' carried state
(streaming), a group by scope over complete windows (batch). Both hand each scope to episodes.step_scope.

Both run as plain Python over Spark's RDD API, not pandas UDFs: a micro-batch holds a few windows per
active scope, too few for Arrow's columnar hand-over to pay, and the job then needs nothing beyond the
pyspark that EMR Serverless already ships -- no Python environment archive to build for its image.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict
from typing import Any, Callable, Collection, Iterable, Mapping, Sequence

from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql import functions as F

from .commands import KILL_COLUMNS, kill_row
from .episodes import (
    QUIET_SCOPE,
    EpisodeOpened,
    EpisodeState,
    ScopeState,
    current_window,
    forgive,
    is_worth_keeping,
    step_scope,
)
from .metrics import ACCOUNT, WindowMetrics, metrics_from_row
from .settings import DetectorSettings

SCOPE_KEY = ("scope_kind", "scope_id")
STATE_COLUMNS = (
    "scope_kind string, scope_id string, in_episode boolean, last_window_end long,"
    " pending string, opened_start long, forgiven_before long"
)
# What a scope brings into a batch: its state row from the last batch, an UNKILL read in this one, or both;
# `released` marks an UNKILL of a scope the job knew as KILLED.
CARRIED_COLUMNS = f"{STATE_COLUMNS}, unkilled_ms long, released boolean"
# An account's current window, for its risk signal (scope, window_end and ts are the KILL's columns).
SIGNAL_COLUMNS = (
    "window_start long, order_count long, total_notional double, avg_notional double,"
    " unique_symbols long, top_symbol string, top_symbol_share double"
)
# The step's output: KILL, state and signal rows in one frame, told apart by `row`, so that one cached
# result feeds both sinks without a second shuffle of the batch's windows.
STEP_COLUMNS = f"row string, {KILL_COLUMNS}, {STATE_COLUMNS}, {SIGNAL_COLUMNS}"
KILL_ROW = "kill"
STATE_ROW = "state"
SIGNAL_ROW = "signal"

Clock = Callable[[], float]
Record = Mapping[str, Any]
ScopeKey = tuple[str, str]


def column_names(schema: str) -> list[str]:
    return [column.strip().split(" ")[0] for column in schema.split(",")]


def step_stream(
    updates: DataFrame,
    carried: DataFrame,
    now_end: int,
    settings: DetectorSettings,
    namespace: uuid.UUID,
    clock: Clock = time.time,
) -> DataFrame:
    """One micro-batch: every scope with updated windows, carried state or an UNKILL goes through step_scope.

    `carried` is carried_frame's: state rows and UNKILL rows together. A scope with state but no orders in
    the batch is still judged, because event time moved on for it too.
    """
    step = scope_step(settings, namespace, now_end, clock)
    names = column_names(STEP_COLUMNS)
    rows = (
        updates.rdd.map(keyed)
        .cogroup(carried.rdd.map(keyed))
        .flatMap(lambda group: as_tuples(step(group[0], list(group[1][0]), list(group[1][1])), names))
    )
    return updates.sparkSession.createDataFrame(rows, STEP_COLUMNS)


def scope_step(
    settings: DetectorSettings, namespace: uuid.UUID, now_end: int, clock: Clock = time.time
) -> Callable[[ScopeKey, Sequence[Record], Sequence[Record]], list[dict[str, Any]]]:
    def step(key: ScopeKey, updates: Sequence[Record], carried: Sequence[Record]) -> list[dict[str, Any]]:
        scope_kind, scope_id = str(key[0]), str(key[1])
        state = carried_state(carried)
        unkilled = newest_unkill(carried)
        if unkilled is not None:
            state = forgive(state, unkilled, released=any(row.get("released") for row in carried))
        windows = [metrics_from_row(row) for row in updates]
        state, opened = step_scope(state, windows, now_end, settings)
        now_ms = _now_ms(clock)
        rows = [{"row": KILL_ROW, **kill} for kill in kill_dicts(opened, namespace, now_ms)]
        if is_worth_keeping(state, settings):
            rows.append({"row": STATE_ROW, **state_row(scope_kind, scope_id, state)})
        if scope_kind == ACCOUNT and windows:
            rows.append({"row": SIGNAL_ROW, **asdict(current_window(windows, settings)), "ts": now_ms})
        return rows

    return step


def kill_commands_batch(windows: DataFrame, settings: DetectorSettings, namespace: uuid.UUID) -> DataFrame:
    """The same judgement over a finished set of windows: each scope starts quiet, every window is due."""

    def judge(rows: Iterable[Record]) -> list[dict[str, Any]]:
        metrics = [metrics_from_row(row) for row in rows]
        now_end = max(w.window_end for w in metrics)
        _, opened = step_scope(QUIET_SCOPE, metrics, now_end, settings)
        return kill_dicts(opened, namespace, _now_ms(time.time))

    names = column_names(KILL_COLUMNS)
    kills = windows.rdd.map(keyed).groupByKey().flatMap(lambda group: as_tuples(judge(group[1]), names))
    return windows.sparkSession.createDataFrame(kills, KILL_COLUMNS)


def keyed(row: Row) -> tuple[ScopeKey, dict[str, Any]]:
    record = row.asDict()
    return (record["scope_kind"], record["scope_id"]), record


def as_tuples(rows: Iterable[Mapping[str, Any]], names: Sequence[str]) -> list[tuple[Any, ...]]:
    """Rows in the schema's column order; a column a row kind does not use is null."""
    return [tuple(row.get(name) for name in names) for row in rows]


def signals_of(stepped: DataFrame) -> DataFrame:
    columns = ["scope_kind", "scope_id", "window_end", "ts", *column_names(SIGNAL_COLUMNS)]
    return stepped.where(F.col("row") == SIGNAL_ROW).select(*columns)


def without_signals(stepped: DataFrame) -> DataFrame:
    return stepped.where(F.col("row") != SIGNAL_ROW)


def kills_of(stepped: DataFrame) -> DataFrame:
    return stepped.where(F.col("row") == KILL_ROW).select(*column_names(KILL_COLUMNS))


def states_of(rows: Iterable[Row]) -> list[dict[str, Any]]:
    names = column_names(STATE_COLUMNS)
    return [{name: row[name] for name in names} for row in rows if row["row"] == STATE_ROW]


def carried_frame(
    spark: SparkSession,
    states: Iterable[Mapping[str, Any]],
    unkills: Iterable[tuple[str, str, int]],
    released: Collection[str] = (),
) -> DataFrame:
    """The previous batch's state rows and this batch's UNKILLs, one row each, as the step's second input.
    `released` names the scopes ("KIND:id") this batch saw go from KILLED to ACTIVE."""
    names = column_names(CARRIED_COLUMNS)
    rows = [tuple(state.get(name) for name in names) for state in states]
    blanks = [None] * (len(names) - 4)
    rows += [
        (kind, scope_id, *blanks, unkilled_ms, f"{kind}:{scope_id}" in released)
        for kind, scope_id, unkilled_ms in unkills
    ]
    return spark.createDataFrame(rows, CARRIED_COLUMNS)


def kill_dicts(opened: list[EpisodeOpened], namespace: uuid.UUID, now_ms: int) -> list[dict[str, Any]]:
    return [kill_row(episode, namespace, now_ms) for episode in opened]


def state_row(scope_kind: str, scope_id: str, state: ScopeState) -> dict[str, Any]:
    return {
        "scope_kind": scope_kind,
        "scope_id": scope_id,
        "in_episode": state.episode.in_episode,
        "last_window_end": state.episode.last_window_end,
        # Metrics as JSON: floats round-trip exactly, and the state table keeps one flat row per scope.
        "pending": json.dumps([asdict(window) for window in state.pending]),
        "opened_start": state.opened_start,
        "forgiven_before": state.forgiven_before,
    }


def carried_state(carried: Iterable[Record]) -> ScopeState:
    rows = [row for row in carried if row.get("in_episode") is not None]
    if not rows:
        return QUIET_SCOPE
    row = rows[0]
    return ScopeState(
        episode=EpisodeState(bool(row["in_episode"]), int(row["last_window_end"])),
        pending=tuple(metrics_from_row(window) for window in json.loads(str(row["pending"]))),
        opened_start=int(row["opened_start"]),
        forgiven_before=int(row["forgiven_before"]),
    )


def newest_unkill(carried: Iterable[Record]) -> int | None:
    values = [int(row["unkilled_ms"]) for row in carried if row.get("unkilled_ms") is not None]
    return max(values) if values else None


def _now_ms(clock: Clock) -> int:
    return int(clock() * 1000)
