"""Order rows for tests: orders.v1 fields with explicit times, and the log records that carry them."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Optional

NOON = int(datetime(2024, 3, 9, 12, 0, tzinfo=timezone.utc).timestamp() * 1000)
SYMBOLS = ["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA", "JPM", "XOM", "KO"]


def order(
    ts: int, account_id: str = "12345", symbol: str = "AAPL", qty: int = 10, price: float = 100.0
) -> dict[str, Any]:
    return {
        "order_id": f"o-{account_id}-{ts}-{symbol}",
        "ts": ts,
        "account_id": account_id,
        "symbol": symbol,
        "side": "BUY",
        "qty": qty,
        "price": price,
        "strategy": "momentum",
    }


def spread(n: int, start: int, step_ms: int, account_id: str = "12345") -> list[dict[str, Any]]:
    """n orders over ten symbols, so only the order-rate rule can trip."""
    return [order(start + i * step_ms, account_id, SYMBOLS[i % len(SYMBOLS)]) for i in range(n)]


def record(row: dict[str, Any], appended_ms: Optional[int] = None) -> dict[str, Any]:
    """The orders.v1 record of an order as the log keeps it: appended at its own ts unless told otherwise."""
    return {"timestamp": row["ts"] if appended_ms is None else appended_ms, "value": json.dumps(row)}


def records(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [record(row) for row in rows]
