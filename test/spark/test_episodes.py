"""One KILL per breach episode: the pure episode step, and the applyInPandasWithState function around it."""

from __future__ import annotations

import uuid
from typing import Any, Iterator

import pandas as pd

from riskjob.commands import command_ids, run_namespace
from riskjob.episodes import QUIET, EpisodeState, advance
from riskjob.metrics import WindowMetrics
from riskjob.settings import DetectorSettings
from riskjob.stateful import episode_step

SECOND = 1_000


def window(end_s: int, count: int, kind: str = "ACCOUNT", share: float = 0.2) -> WindowMetrics:
    return WindowMetrics(
        kind, "12345", (end_s - 60) * SECOND, end_s * SECOND, count, count * 100.0, 100.0, 5, "AAPL", share
    )


def test_one_kill_for_a_whole_episode(settings: DetectorSettings) -> None:
    # Given a scope over the order-rate limit for 30 consecutive windows
    windows = [window(100 + i, 150) for i in range(30)]
    # When they are judged, in one batch or one by one
    _, at_once = advance(QUIET, windows, settings)
    state, one_by_one = QUIET, []
    for w in windows:
        state, opened = advance(state, [w], settings)
        one_by_one += opened
    # Then exactly one kill, for the first breaching window
    assert [o.metrics.window_end for o in at_once] == [100 * SECOND]
    assert [o.metrics.window_end for o in one_by_one] == [100 * SECOND]
    assert state.in_episode


def test_a_new_episode_after_a_window_under_every_threshold(settings: DetectorSettings) -> None:
    windows = [window(100, 150), window(101, 150), window(102, 90), window(103, 150)]
    _, opened = advance(QUIET, windows, settings)
    assert [o.metrics.window_end for o in opened] == [100 * SECOND, 103 * SECOND]


def test_an_empty_window_ends_the_episode(settings: DetectorSettings) -> None:
    # Windows 101-104 had no orders, so Spark never produced them: the gap is an empty window.
    _, opened = advance(QUIET, [window(100, 150), window(105, 150)], settings)
    assert len(opened) == 2


def test_a_replayed_window_opens_nothing(settings: DetectorSettings) -> None:
    state, _ = advance(QUIET, [window(100, 150)], settings)
    state, _ = advance(state, [window(101, 90)], settings)
    assert advance(state, [window(101, 150)], settings)[1] == []


def test_order_in_the_batch_does_not_matter(settings: DetectorSettings) -> None:
    _, opened = advance(QUIET, [window(102, 150), window(100, 150), window(101, 50)], settings)
    assert [o.metrics.window_end for o in opened] == [100 * SECOND, 102 * SECOND]


def test_command_ids_are_uuids_unique_per_command_and_stable_on_replay() -> None:
    namespace = run_namespace(".cache/spark-checkpoints/test")
    ids = [
        command_ids(namespace, scope, end) for scope in ("ACCOUNT:1", "SYMBOL:NVDA") for end in (1_000, 2_000)
    ]
    flat = [i for pair in ids for i in pair]
    assert len(set(flat)) == len(flat)
    assert all(uuid.UUID(i).version == 5 for i in flat)
    assert command_ids(namespace, "ACCOUNT:1", 1_000) == ids[0]
    assert command_ids(run_namespace("another-run"), "ACCOUNT:1", 1_000) != ids[0]


class FakeGroupState:
    """The part of pyspark's GroupState the episode step uses."""

    def __init__(
        self, value: tuple[Any, ...] | None = None, watermark_ms: int = 0, timed_out: bool = False
    ) -> None:
        self.value = value
        self.watermark_ms = watermark_ms
        self.hasTimedOut = timed_out
        self.timeout_ms: int | None = None

    @property
    def exists(self) -> bool:
        return self.value is not None

    @property
    def get(self) -> tuple[Any, ...]:
        assert self.value is not None
        return self.value

    def update(self, value: tuple[Any, ...]) -> None:
        self.value = value

    def remove(self) -> None:
        self.value = None

    def setTimeoutTimestamp(self, timestamp_ms: int) -> None:  # noqa: N802 (pyspark's name)
        self.timeout_ms = timestamp_ms

    def getCurrentWatermarkMs(self) -> int:  # noqa: N802
        return self.watermark_ms


def frames(*windows: WindowMetrics) -> Iterator[pd.DataFrame]:
    rows = [{**w.__dict__} for w in windows]
    yield pd.DataFrame(rows)


def test_the_state_function_keeps_the_episode_between_batches(settings: DetectorSettings) -> None:
    step = episode_step(settings, run_namespace("t"), clock=lambda: 1_700_000_000.0)
    state = FakeGroupState()
    first = list(step(("ACCOUNT", "12345"), frames(window(100, 150)), state))  # type: ignore[arg-type]
    assert len(first) == 1 and first[0]["reason"].tolist() == ["Order rate breach: 150 orders in 60s"]
    assert first[0]["ts"].tolist() == [1_700_000_000_000]
    assert state.value == (True, 100 * SECOND) and state.timeout_ms == 101 * SECOND
    # The next batch's windows still breach: the same episode, no second kill.
    assert list(step(("ACCOUNT", "12345"), frames(window(101, 160)), state)) == []  # type: ignore[arg-type]


def test_the_timeout_on_an_empty_window_ends_the_episode(settings: DetectorSettings) -> None:
    step = episode_step(settings, run_namespace("t"))
    state = FakeGroupState((True, 100 * SECOND), watermark_ms=102 * SECOND, timed_out=True)
    assert list(step(("ACCOUNT", "12345"), iter([]), state)) == []  # type: ignore[arg-type]
    assert state.value is None
    # After it, a breach is a new episode.
    fresh = FakeGroupState()
    again = list(step(("ACCOUNT", "12345"), frames(window(130, 150)), fresh))  # type: ignore[arg-type]
    assert len(again) == 1


def test_quiet_scopes_keep_no_state(settings: DetectorSettings) -> None:
    step = episode_step(settings, run_namespace("t"))
    state = FakeGroupState((True, 100 * SECOND))
    assert list(step(("ACCOUNT", "12345"), frames(window(101, 20)), state)) == []  # type: ignore[arg-type]
    assert state.value is None


def test_in_episode_state_round_trips(settings: DetectorSettings) -> None:
    state, _ = advance(QUIET, [window(100, 150)], settings)
    assert EpisodeState(*(state.in_episode, state.last_window_end)) == state
