"""The episode step on Spark: applyInPandasWithState keyed by scope (streaming), applyInPandas (batch).

Both hand each scope's windows to episodes.advance(); only where the state lives differs.
"""

from __future__ import annotations

import time
import uuid
import warnings
from typing import Callable, Iterable, Iterator

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.streaming.state import GroupState, GroupStateTimeout

from .commands import KILL_COLUMNS, kill_row
from .episodes import QUIET, EpisodeOpened, EpisodeState, advance, empty_window_due
from .metrics import WindowMetrics, metrics_from_row
from .settings import DetectorSettings

# pyspark 3.5's own pandas concat warns about pandas 3 on every batch: nothing the job can act on.
warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark.sql.pandas.serializers")

STATE_COLUMNS = "in_episode boolean, last_window_end long"
WINDOW_END_TIME = "window_end_time"

Clock = Callable[[], float]


def kill_commands_stream(windows: DataFrame, settings: DetectorSettings, namespace: uuid.UUID) -> DataFrame:
    """Streaming windows (in append mode, so each window arrives once, complete) to one KILL per episode."""
    timed = windows.withColumn(WINDOW_END_TIME, F.expr("timestamp_millis(window_end)"))
    # Windows arrive in window-end order, batch by batch; the watermark only drives the empty-window timeout.
    watermarked = timed.withWatermark(WINDOW_END_TIME, "0 seconds")
    return watermarked.groupBy("scope_kind", "scope_id").applyInPandasWithState(
        episode_step(settings, namespace),
        KILL_COLUMNS,
        STATE_COLUMNS,
        "append",
        GroupStateTimeout.EventTimeTimeout,
    )


def kill_commands_batch(windows: DataFrame, settings: DetectorSettings, namespace: uuid.UUID) -> DataFrame:
    """The same judgement over a finished set of windows: each scope starts quiet and sees all of them."""

    def judge(frame: pd.DataFrame) -> pd.DataFrame:
        _, opened = advance(QUIET, frame_metrics([frame]), settings)
        return kill_frame(opened, namespace, _now_ms(time.time))

    return windows.groupBy("scope_kind", "scope_id").applyInPandas(judge, KILL_COLUMNS)


def episode_step(
    settings: DetectorSettings, namespace: uuid.UUID, clock: Clock = time.time
) -> Callable[[tuple[str, ...], Iterable[pd.DataFrame], GroupState], Iterator[pd.DataFrame]]:
    def step(
        _key: tuple[str, ...], frames: Iterable[pd.DataFrame], state: GroupState
    ) -> Iterator[pd.DataFrame]:
        if state.hasTimedOut:
            # Event time passed the next window's end and none came: the window is empty, the episode over.
            state.remove()
            return
        current = EpisodeState(*state.get) if state.exists else QUIET
        current, opened = advance(current, frame_metrics(frames), settings)
        _keep(state, current, settings)
        if opened:
            yield kill_frame(opened, namespace, _now_ms(clock))

    return step


def _keep(state: GroupState, current: EpisodeState, settings: DetectorSettings) -> None:
    """Keeps state only for scopes in an episode: a quiet scope is indistinguishable from a new one."""
    due = empty_window_due(current, settings)
    if not current.in_episode or due <= state.getCurrentWatermarkMs():
        state.remove()
        return
    state.update((current.in_episode, current.last_window_end))
    state.setTimeoutTimestamp(due)


def frame_metrics(frames: Iterable[pd.DataFrame]) -> list[WindowMetrics]:
    return [metrics_from_row(row) for frame in frames for row in frame.to_dict("records")]


def kill_frame(opened: list[EpisodeOpened], namespace: uuid.UUID, now_ms: int) -> pd.DataFrame:
    columns = [column.split(" ")[0] for column in KILL_COLUMNS.split(", ")]
    return pd.DataFrame([kill_row(episode, namespace, now_ms) for episode in opened], columns=columns)


def _now_ms(clock: Clock) -> int:
    return int(clock() * 1000)
