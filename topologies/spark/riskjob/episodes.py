"""Breach episodes: ONE kill per runaway, not one per window update (the seed's job re-sent on every window).

An episode opens on the first window of a scope that breaches any rule and closes on the first later
window that breaches none. A scope with no orders at all in a window has an empty window, which is
under every threshold: Spark never emits such a window, so a gap between two window ends (or event
time passing the next window end with nothing arriving) closes the episode too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .metrics import WindowMetrics
from .rules import Breach, describe_breach
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


def empty_window_due(state: EpisodeState, settings: DetectorSettings) -> int:
    """Event time at which the scope's next window, if nothing has arrived for it, is known to be empty."""
    return state.last_window_end + settings.slide_ms
