"""One scope's window, as the rules see it: the Python twin of WindowMetrics in sliding-window.ts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

ACCOUNT = "ACCOUNT"
SYMBOL = "SYMBOL"


@dataclass(frozen=True)
class WindowMetrics:
    scope_kind: str
    scope_id: str
    window_start: int
    window_end: int
    order_count: int
    total_notional: float
    avg_notional: float
    unique_symbols: int
    top_symbol: str | None
    top_symbol_share: float

    @property
    def scope(self) -> str:
        return f"{self.scope_kind}:{self.scope_id}"


def metrics_from_row(row: Mapping[str, Any]) -> WindowMetrics:
    """Builds metrics from a mapping of the window_metrics columns: a Row's asDict(), or a stored window."""
    top_symbol = row["top_symbol"]
    return WindowMetrics(
        scope_kind=str(row["scope_kind"]),
        scope_id=str(row["scope_id"]),
        window_start=int(row["window_start"]),
        window_end=int(row["window_end"]),
        order_count=int(row["order_count"]),
        total_notional=float(row["total_notional"]),
        avg_notional=float(row["avg_notional"]),
        unique_symbols=int(row["unique_symbols"]),
        top_symbol=top_symbol if isinstance(top_symbol, str) else None,
        top_symbol_share=float(row["top_symbol_share"]),
    )
