"""Order rows for tests: orders.v1 fields with explicit event times."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

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
