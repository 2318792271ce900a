"""One KILL per breach episode: the pure episode step over update-mode windows, operator UNKILLs, and the
per-scope function that carries a scope's state from one micro-batch to the next."""

from __future__ import annotations

import uuid
from dataclasses import asdict, replace
from typing import Any

from riskjob.commands import command_ids, run_namespace
from riskjob.episodes import (
    QUIET,
    QUIET_SCOPE,
    EpisodeState,
    ScopeState,
    advance,
    forgive,
    is_worth_keeping,
    step_scope,
)
from riskjob.metrics import WindowMetrics
from riskjob.settings import DetectorSettings
from riskjob.stateful import STATE_ROW, carried_state, scope_step, state_row

SECOND = 1_000


def window(end_s: int, count: int, kind: str = "ACCOUNT", share: float = 0.2) -> WindowMetrics:
    return WindowMetrics(
        kind, "12345", (end_s - 60) * SECOND, end_s * SECOND, count, count * 100.0, 100.0, 5, "AAPL", share
    )


def updates(first_end_s: int, counts: list[int]) -> list[WindowMetrics]:
    """The windows one batch updates: consecutive ends from first_end_s, as an order updates every window
    that holds it (the later ones in the future, so far)."""
    return [window(first_end_s + i, count) for i, count in enumerate(counts)]


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


def test_update_mode_kills_in_the_batch_that_crosses_and_keeps_the_future_windows(
    settings: DetectorSettings,
) -> None:
    # Given a batch whose newest order is in second 4: windows ending 5 (current) to 64 (future) updated
    batch = updates(5, [125] * 56 + [100, 75, 50, 25])
    # When it is judged with the current window ending at second 5
    state, opened = step_scope(QUIET_SCOPE, batch, 5 * SECOND, settings)
    # Then one KILL for the current window, and the breaching future windows wait for their turn
    assert [(o.metrics.window_end, o.breach.value) for o in opened] == [(5 * SECOND, 125)]
    assert state.episode == EpisodeState(True, 5 * SECOND)
    assert [w.window_end for w in state.pending] == [s * SECOND for s in range(6, 61)]


def test_an_episode_ends_when_event_time_passes_its_last_breaching_window(settings: DetectorSettings) -> None:
    state, _ = step_scope(QUIET_SCOPE, updates(5, [125] * 56), 5 * SECOND, settings)
    # Event time moves on (other scopes' orders) with nothing new for this one
    state, opened = step_scope(state, [], 30 * SECOND, settings)
    assert opened == [] and state.episode.in_episode
    state, opened = step_scope(state, [], 61 * SECOND, settings)
    assert opened == [] and not state.episode.in_episode and state.pending == ()
    assert not is_worth_keeping(state, settings)
    # So the next breach is a new episode
    _, opened = step_scope(state, updates(70, [150]), 70 * SECOND, settings)
    assert len(opened) == 1


def test_a_window_whose_update_falls_back_under_the_limits_is_dropped(settings: DetectorSettings) -> None:
    concentrated = replace(window(10, 30, share=0.9), window_end=10 * SECOND)
    state, _ = step_scope(QUIET_SCOPE, [concentrated], 5 * SECOND, settings)
    assert [w.window_end for w in state.pending] == [10 * SECOND]
    state, opened = step_scope(state, [window(10, 40, share=0.5)], 10 * SECOND, settings)
    assert opened == [] and state.pending == ()


def test_a_batch_of_older_orders_does_not_move_event_time_back(settings: DetectorSettings) -> None:
    state, _ = step_scope(QUIET_SCOPE, updates(5, [125] * 56), 5 * SECOND, settings)
    state, opened = step_scope(state, [], 3 * SECOND, settings)
    assert opened == [] and state.episode == EpisodeState(True, 5 * SECOND)


def test_an_unkill_ends_the_episode_and_forgives_the_orders_before_it(settings: DetectorSettings) -> None:
    # Given a scope killed at second 5, whose future windows all breach
    state, _ = step_scope(QUIET_SCOPE, updates(5, [150] * 56), 5 * SECOND, settings)
    # When an operator unkills it at 12:00:06.2 and it sends 80 orders, then 40 more, after the UNKILL
    state = forgive(state, 6 * SECOND + 200)
    assert not state.episode.in_episode and state.pending == ()
    # (its windows starting before 12:00:07 still count the runaway: they no longer matter)
    state, opened = step_scope(state, updates(8, [230] * 59 + [80]), 8 * SECOND, settings)
    assert opened == []
    state, opened = step_scope(state, updates(9, [270] * 58 + [120]), 9 * SECOND, settings)
    # Then the first window that starts after the UNKILL (7 s to 67 s) stands in for the current one: a
    # new episode on the 120 orders since the UNKILL alone
    assert [(o.metrics.window_start, o.metrics.window_end, o.breach.value) for o in opened] == [
        (7 * SECOND, 9 * SECOND, 120)
    ]
    assert state.episode == EpisodeState(True, 9 * SECOND)


def test_an_unkill_older_than_the_episode_or_repeated_changes_nothing(settings: DetectorSettings) -> None:
    state, _ = step_scope(QUIET_SCOPE, updates(70, [150] * 10), 70 * SECOND, settings)
    assert state.opened_start == 10 * SECOND
    # The UNKILL came before every order of the window that opened this episode
    assert forgive(state, 5 * SECOND).episode.in_episode
    forgiven = forgive(state, 65 * SECOND)
    assert not forgiven.episode.in_episode
    assert forgive(forgiven, 65 * SECOND) == forgiven


def test_a_recent_unkill_is_remembered_for_a_window(settings: DetectorSettings) -> None:
    state = forgive(QUIET_SCOPE, 6 * SECOND)
    state, _ = step_scope(state, [], 30 * SECOND, settings)
    assert is_worth_keeping(state, settings)
    state, _ = step_scope(state, [], 70 * SECOND, settings)
    assert not is_worth_keeping(state, settings)


def records(*windows: WindowMetrics) -> list[dict[str, Any]]:
    return [asdict(w) for w in windows]


def rows_of(out: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [row for row in out if row["row"] == kind]


def test_the_scope_step_carries_state_and_reads_unkills(settings: DetectorSettings) -> None:
    key = ("ACCOUNT", "12345")
    step = scope_step(settings, run_namespace("t"), 5 * SECOND, clock=lambda: 1_700_000_000.0)
    out = step(key, records(*updates(5, [150] * 60)), [])
    kills = rows_of(out, "kill")
    assert [k["reason"] for k in kills] == ["Order rate breach: 150 orders in 60s"]
    assert [k["ts"] for k in kills] == [1_700_000_000_000]
    signals = rows_of(out, "signal")
    assert [(s["window_end"], s["order_count"]) for s in signals] == [(5 * SECOND, 150)]
    carried = rows_of(out, STATE_ROW)
    assert carried_state(carried).episode == EpisodeState(True, 5 * SECOND)

    # The next batch: state carried, and an UNKILL for the scope beside it
    unkill = {"scope_kind": "ACCOUNT", "scope_id": "12345", "unkilled_ms": 5 * SECOND + 500}
    later = scope_step(settings, run_namespace("t"), 6 * SECOND)
    out = later(key, [], [*carried, unkill])
    assert rows_of(out, "kill") == []
    assert not carried_state(rows_of(out, STATE_ROW)).episode.in_episode


def test_scope_state_round_trips_through_a_state_row() -> None:
    state = ScopeState(EpisodeState(True, 9 * SECOND), (window(10, 150), window(11, 160)), 7 * SECOND, 6_200)
    assert carried_state([state_row("ACCOUNT", "12345", state)]) == state


def test_a_release_ends_an_episode_even_when_the_unkill_is_older(settings: DetectorSettings) -> None:
    state, _ = step_scope(QUIET_SCOPE, updates(70, [150] * 10), 70 * SECOND, settings)
    assert state.episode.in_episode and state.opened_start == 10 * SECOND
    # An UNKILL timed before the episode opened is no news to it, unless the scope was KILLED meanwhile
    assert forgive(state, 5 * SECOND).episode.in_episode
    released = forgive(state, 5 * SECOND, released=True)
    assert not released.episode.in_episode
    assert released.forgiven_before == 5 * SECOND
