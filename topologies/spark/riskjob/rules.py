"""The risk rules of src/domain/risk-rules.ts, word for word: same thresholds, same order, same reasons."""

from __future__ import annotations

from dataclasses import dataclass

from .js_format import js_number, js_round, js_to_fixed, window_label
from .metrics import ACCOUNT, SYMBOL, WindowMetrics
from .settings import DetectorSettings

ORDER_RATE = "order_rate_60s"
NOTIONAL = "notional_60s"
CONCENTRATION = "top_symbol_share"
SYMBOL_ORDER_RATE = "symbol_order_rate_60s"


@dataclass(frozen=True)
class Breach:
    metric: str
    value: float
    reason: str


def order_rate_breached(metrics: WindowMetrics, settings: DetectorSettings) -> bool:
    return metrics.order_count > settings.max_order_count


def notional_breached(metrics: WindowMetrics, settings: DetectorSettings) -> bool:
    return metrics.total_notional > settings.max_notional


def concentration_breached(metrics: WindowMetrics, settings: DetectorSettings) -> bool:
    # One order is "100% one symbol": the share only means something on a large enough sample.
    return (
        metrics.order_count >= settings.concentration_min_orders
        and metrics.top_symbol_share >= settings.max_top_symbol_share
    )


def symbol_breached(metrics: WindowMetrics, settings: DetectorSettings) -> bool:
    return metrics.order_count > settings.symbol_max_order_count


def is_breached(metrics: WindowMetrics, settings: DetectorSettings) -> bool:
    return describe_breach(metrics, settings) is not None


def describe_breach(metrics: WindowMetrics, settings: DetectorSettings) -> Breach | None:
    """The breach a KILL is reported under, or None when the window is under every threshold."""
    if metrics.scope_kind == SYMBOL:
        return _symbol_breach(metrics, settings) if symbol_breached(metrics, settings) else None
    if metrics.scope_kind == ACCOUNT:
        return _account_breach(metrics, settings)
    raise ValueError(f"no rules for scope kind {metrics.scope_kind!r}")


def _account_breach(metrics: WindowMetrics, settings: DetectorSettings) -> Breach | None:
    span = window_label(settings.window_ms)
    # The first breached rule names the kill, in the order of BREACH in risk-rules.ts.
    if order_rate_breached(metrics, settings):
        return Breach(
            ORDER_RATE,
            metrics.order_count,
            f"Order rate breach: {metrics.order_count} orders in {span}",
        )
    if notional_breached(metrics, settings):
        return Breach(
            NOTIONAL,
            metrics.total_notional,
            f"Notional breach: {js_to_fixed(metrics.total_notional, 2)} in {span}"
            f" (limit {js_number(settings.max_notional)})",
        )
    if concentration_breached(metrics, settings):
        percent = js_round(metrics.top_symbol_share * 100)
        return Breach(
            CONCENTRATION,
            metrics.top_symbol_share,
            f"Concentration breach: {percent}% of {metrics.order_count} orders"
            f" in {metrics.top_symbol or '?'} in {span}",
        )
    return None


def _symbol_breach(metrics: WindowMetrics, settings: DetectorSettings) -> Breach:
    span = window_label(settings.window_ms)
    return Breach(
        SYMBOL_ORDER_RATE,
        metrics.order_count,
        f"Symbol order rate breach: {metrics.order_count} orders in {metrics.scope_id} in {span}"
        " across all accounts",
    )
