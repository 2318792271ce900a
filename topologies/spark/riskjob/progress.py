"""One line per micro-batch that did something: the job's heartbeat, instead of Spark's multi-line JSON."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from pyspark.sql.streaming.listener import StreamingQueryListener


class ProgressLines(StreamingQueryListener):
    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out

    def onQueryStarted(self, event: Any) -> None:  # noqa: N802 (pyspark's names)
        self._say(f"{event.name} started (run {event.runId})")

    def onQueryProgress(self, event: Any) -> None:  # noqa: N802
        progress = event.progress
        if progress.numInputRows == 0:
            return
        watermark = progress.eventTime.get("watermark", "-")
        self._say(
            f"{progress.name} batch {progress.batchId}: {progress.numInputRows} orders in,"
            f" {progress.batchDuration} ms, watermark {watermark}"
        )

    def onQueryIdle(self, event: Any) -> None:  # noqa: N802
        pass

    def onQueryTerminated(self, event: Any) -> None:  # noqa: N802
        self._say(f"query {event.id} stopped" + (f": {event.exception}" if event.exception else ""))

    def _say(self, text: str) -> None:
        print(f"risk_detector: {text}", file=self.out, flush=True)
