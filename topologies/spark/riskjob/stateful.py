"""The episode step on Spark: a cogroup of the batch's updated windows with the scopes' carried state
(streaming), applyInPandas over complete windows (batch). Both hand each scope to episodes.step_scope.
"""

from __future__ import annotations

import json
import math
import time
import uuid
import warnings
from dataclasses import asdict
from typing import Any, Callable, Iterable, Mapping

import pandas as pd
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

# pyspark 3.5's own pandas concat warns about pandas 3 on every batch: nothing the job can act on.
warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark.sql.pandas.serializers")

SCOPE_KEY = ("scope_kind", "scope_id")
STATE_COLUMNS = (
    "scope_kind string, scope_id string, in_episode boolean, last_window_end long,"
    " pending string, opened_start long, forgiven_before long"
)
# What a scope brings into a batch: its state row from the last batch, an UNKILL read in this one, or both.
CARRIED_COLUMNS = f"{STATE_COLUMNS}, unkilled_ms long"
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
    return (
        updates.groupBy(*SCOPE_KEY)
        .cogroup(carried.groupBy(*SCOPE_KEY))
        .applyInPandas(scope_step(settings, namespace, now_end, clock), STEP_COLUMNS)
    )


def scope_step(
    settings: DetectorSettings, namespace: uuid.UUID, now_end: int, clock: Clock = time.time
) -> Callable[[tuple[Any, ...], pd.DataFrame, pd.DataFrame], pd.DataFrame]:
    def step(key: tuple[Any, ...], updates: pd.DataFrame, carried: pd.DataFrame) -> pd.DataFrame:
        scope_kind, scope_id = str(key[0]), str(key[1])
        state = carried_state(carried)
        unkilled = newest_unkill(carried)
        if unkilled is not None:
            state = forgive(state, unkilled)
        windows = frame_metrics([updates])
        state, opened = step_scope(state, windows, now_end, settings)
        now_ms = _now_ms(clock)
        rows = [{"row": KILL_ROW, **kill} for kill in kill_dicts(opened, namespace, now_ms)]
        if is_worth_keeping(state, settings):
            rows.append({"row": STATE_ROW, **state_row(scope_kind, scope_id, state)})
        if scope_kind == ACCOUNT and windows:
            rows.append({"row": SIGNAL_ROW, **asdict(current_window(windows, settings)), "ts": now_ms})
        return pd.DataFrame(rows, columns=column_names(STEP_COLUMNS))

    return step


def kill_commands_batch(windows: DataFrame, settings: DetectorSettings, namespace: uuid.UUID) -> DataFrame:
    """The same judgement over a finished set of windows: each scope starts quiet, every window is due."""

    def judge(frame: pd.DataFrame) -> pd.DataFrame:
        windows = frame_metrics([frame])
        now_end = max(w.window_end for w in windows)
        _, opened = step_scope(QUIET_SCOPE, windows, now_end, settings)
        kills = kill_dicts(opened, namespace, _now_ms(time.time))
        return pd.DataFrame(kills, columns=column_names(KILL_COLUMNS))

    return windows.groupBy(*SCOPE_KEY).applyInPandas(judge, KILL_COLUMNS)


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
    spark: SparkSession, states: Iterable[Mapping[str, Any]], unkills: Iterable[tuple[str, str, int]]
) -> DataFrame:
    """The previous batch's state rows and this batch's UNKILLs, one row each, as the step's second input."""
    names = column_names(CARRIED_COLUMNS)
    rows = [tuple(state.get(name) for name in names) for state in states]
    blanks = [None] * (len(names) - 3)
    rows += [(kind, scope_id, *blanks, unkilled_ms) for kind, scope_id, unkilled_ms in unkills]
    return spark.createDataFrame(rows, CARRIED_COLUMNS)


def frame_metrics(frames: Iterable[pd.DataFrame]) -> list[WindowMetrics]:
    return [metrics_from_row(row) for frame in frames for row in frame.to_dict("records")]


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


def carried_state(carried: pd.DataFrame) -> ScopeState:
    if "in_episode" not in carried.columns:
        return QUIET_SCOPE
    rows = carried[carried["in_episode"].notna()].to_dict("records")
    if not rows:
        return QUIET_SCOPE
    row = rows[0]
    return ScopeState(
        episode=EpisodeState(bool(row["in_episode"]), int(row["last_window_end"])),
        pending=tuple(metrics_from_row(window) for window in json.loads(str(row["pending"]))),
        opened_start=int(row["opened_start"]),
        forgiven_before=int(row["forgiven_before"]),
    )


def newest_unkill(carried: pd.DataFrame) -> int | None:
    if "unkilled_ms" not in carried.columns:
        return None
    values = [float(v) for v in carried["unkilled_ms"].tolist() if v is not None and not _is_nan(v)]
    return int(max(values)) if values else None


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _now_ms(clock: Clock) -> int:
    return int(clock() * 1000)
