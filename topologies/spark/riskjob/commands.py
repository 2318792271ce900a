"""KILL commands for killswitch.commands.v1, as killCommandFromRequest builds them in the TS detector."""

from __future__ import annotations

import uuid
from typing import Any

from .episodes import EpisodeOpened

TRIGGERED_BY = "spark"

KILL_COLUMNS = (
    "scope string, window_end long, metric string, value double, reason string,"
    " cmd_id string, corr_id string, ts long"
)


def command_ids(namespace: uuid.UUID, scope: str, window_end: int) -> tuple[str, str]:
    """cmd_id and corr_id, unique per command and the same when Spark replays the micro-batch.

    A scope opens at most one episode per window, so (scope, window_end) names the command; the
    namespace is per run (its checkpoint), so another run's commands never share an id. A replay
    after a crash re-sends the same ids, which the idempotent aggregator then ignores.
    """
    name = f"{scope}|{window_end}"
    return str(uuid.uuid5(namespace, f"cmd|{name}")), str(uuid.uuid5(namespace, f"corr|{name}"))


def kill_row(opened: EpisodeOpened, namespace: uuid.UUID, now_ms: int) -> dict[str, Any]:
    scope = opened.metrics.scope
    cmd_id, corr_id = command_ids(namespace, scope, opened.metrics.window_end)
    return {
        "scope": scope,
        "window_end": opened.metrics.window_end,
        "metric": opened.breach.metric,
        "value": float(opened.breach.value),
        "reason": opened.breach.reason,
        "cmd_id": cmd_id,
        "corr_id": corr_id,
        "ts": now_ms,
    }


def run_namespace(run: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"riskctl-spark:{run}")
