"""Breach episodes: ONE kill per runaway, not one per window update (the seed's job re-sent on every window).

An episode opens on the first window of a scope that breaches any rule and closes on the first later
window that breaches none. A scope with no orders at all in a window has an empty window, which is
under every threshold: Spark never emits such a window, so a gap between two window ends closes the
episode too.

The streaming job sees windows in update mode: every micro-batch brings the windows its orders
changed, with their metrics so far, including windows that end in the future (an order is in all
windowMs / slideMs windows that contain it). step_scope judges, after each micro-batch, every window
whose end event time has reached -- each one once, with the newest metrics known for it -- and keeps
the breaching future windows for the batches in which they become current.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Mapping

from .metrics import WindowMetrics
from .rules import Breach, describe_breach, is_breached
from .settings import DetectorSettings


@dataclass(frozen=True)
class EpisodeState:
    in_episode: bool
    # End of the last window judged; the next window of the scope ends slide_ms later or was empty.
    last_window_end: int


@dataclass(frozen=True)
class EpisodeOpened:
    metrics: WindowMetrics
    breach: Breach


QUIET = EpisodeState(in_episode=False, last_window_end=-1)
# Before any event time, and still a long in the state table.
NEVER = -(2**62)


@dataclass(frozen=True)
class ScopeState:
    """What the streaming job remembers about one scope from one micro-batch to the next."""

    episode: EpisodeState = QUIET
    # Windows not judged yet whose newest metrics breach; a window missing here is under every threshold.
    pending: tuple[WindowMetrics, ...] = ()
    # Start of the window that opened the episode: an operator's UNKILL before it is older than the episode.
    opened_start: int = NEVER
    # The newest operator UNKILL (ACTIVE state): windows that start before it hold forgiven orders.
    forgiven_before: int = NEVER


QUIET_SCOPE = ScopeState()


def advance(
    state: EpisodeState, windows: Iterable[WindowMetrics], settings: DetectorSettings
) -> tuple[EpisodeState, list[EpisodeOpened]]:
    """Judges one scope's windows in window-end order; returns the new state and the episodes that opened."""
    opened: list[EpisodeOpened] = []
    for metrics in sorted(windows, key=lambda window: window.window_end):
        if metrics.window_end <= state.last_window_end:
            # Already judged: a replayed window must not open a second episode.
            continue
        if state.in_episode and metrics.window_end > state.last_window_end + settings.slide_ms:
            state = QUIET
        breach = describe_breach(metrics, settings)
        if breach is not None and not state.in_episode:
            opened.append(EpisodeOpened(metrics, breach))
        state = EpisodeState(in_episode=breach is not None, last_window_end=metrics.window_end)
    return state, opened


def current_window_end(newest_window_end: int, settings: DetectorSettings) -> int:
    """The end of the window whose newest slide holds the newest order, from the newest window end an
    update-mode batch brings (that order's last window): the window the in-process detector judges now."""
    return newest_window_end - settings.window_ms + settings.slide_ms


def current_window(updates: Iterable[WindowMetrics], settings: DetectorSettings) -> WindowMetrics:
    """Of the windows a batch updated for one scope, the one whose newest slide holds its newest order."""
    windows = sorted(updates, key=lambda w: w.window_end)
    current_end = current_window_end(windows[-1].window_end, settings)
    started = [w for w in windows if w.window_end <= current_end]
    return started[-1] if started else windows[0]


def forgive(state: ScopeState, unkilled_ms: int, released: bool = False) -> ScopeState:
    """An operator set the scope ACTIVE at unkilled_ms: the episode is over and its window starts afresh,
    as the in-process detector restarts the scope's window. Repeats and older UNKILLs change nothing.

    `released`: the job saw the scope go from KILLED to ACTIVE in this batch. Its episode then ends even
    if it opened after unkilled_ms: an episode that opened while the scope was KILLED sent no KILL, and
    an UNKILL applied late (its time is the command's) must not leave it open and silent."""
    if unkilled_ms <= state.forgiven_before and not released:
        return state
    episode = state.episode
    if episode.in_episode and (released or unkilled_ms > state.opened_start):
        episode = EpisodeState(in_episode=False, last_window_end=episode.last_window_end)
    forgiven = max(unkilled_ms, state.forgiven_before)
    pending = tuple(w for w in state.pending if w.window_start >= forgiven)
    return replace(state, episode=episode, pending=pending, forgiven_before=forgiven)


def step_scope(
    state: ScopeState,
    updates: Iterable[WindowMetrics],
    now_end: int,
    settings: DetectorSettings,
) -> tuple[ScopeState, list[EpisodeOpened]]:
    """One micro-batch for one scope: merge the windows its orders updated, then judge every window that
    ends by now_end (the current window's end) in end order. Returns the new state and the episodes that
    opened, each to be sent as one KILL for the window that opened it."""
    judged_through = state.episode.last_window_end
    newest: dict[int, WindowMetrics] = {w.window_end: w for w in state.pending}
    for window in updates:
        if window.window_end <= judged_through or window.window_start < state.forgiven_before:
            continue
        if is_breached(window, settings):
            newest[window.window_end] = window
        else:
            newest.pop(window.window_end, None)
    now_end = max(now_end, judged_through)
    due = [w for w in newest.values() if w.window_end <= now_end]
    due += _stand_ins(newest, judged_through, now_end, state.forgiven_before, settings)
    episode, opened = advance(state.episode, due, settings)
    # The windows after the last breaching one, up to the current window, had nothing over any threshold.
    still_in = episode.in_episode and episode.last_window_end == now_end
    pending = tuple(sorted((w for w in newest.values() if w.window_end > now_end), key=_end))
    opened_start = opened[-1].metrics.window_start if opened else state.opened_start
    return ScopeState(EpisodeState(still_in, now_end), pending, opened_start, state.forgiven_before), opened


def _stand_ins(
    newest: Mapping[int, WindowMetrics],
    judged_through: int,
    now_end: int,
    forgiven_before: int,
    settings: DetectorSettings,
) -> list[WindowMetrics]:
    """After an UNKILL, the windows that end before the first window starting after it all hold forgiven
    orders. Until event time reaches that first window's end, the first window so far -- the orders since
    the UNKILL, from its next whole slide on, like the in-process detector's restarted window -- stands in
    for each of them."""
    if forgiven_before == NEVER:
        return []
    first_start = -(-forgiven_before // settings.slide_ms) * settings.slide_ms
    first = newest.get(first_start + settings.window_ms)
    if first is None:
        return []
    ends = range(
        max(judged_through, first_start) + settings.slide_ms,
        min(now_end, first.window_end - settings.slide_ms) + 1,
        settings.slide_ms,
    )
    # Only the end moves: the start still says which orders the window holds.
    return [replace(first, window_end=end) for end in ends]


def is_worth_keeping(state: ScopeState, settings: DetectorSettings) -> bool:
    """A scope that is quiet, has nothing pending and no recent UNKILL is indistinguishable from a new one."""
    # An UNKILL matters while a window that starts before it can still come up.
    recent_unkill = state.forgiven_before + settings.window_ms > state.episode.last_window_end
    return state.episode.in_episode or bool(state.pending) or recent_unkill


def _end(window: WindowMetrics) -> int:
    return window.window_end
