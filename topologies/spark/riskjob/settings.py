"""topologies/detector.json: the one file both detectors read.

The TypeScript side validates it with a strict zod schema; this mirrors the same rules so that a
file the CLI rejects is rejected here too, instead of running Spark with limits nobody chose.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

TOP_LEVEL_KEYS = frozenset(
    {
        "description",
        "windowMs",
        "slideMs",
        "allowedLatenessMs",
        "thresholds",
        "concentrationMinOrders",
        "symbolRule",
        "signalIntervalMs",
        "idleEvictMs",
    }
)
THRESHOLD_KEYS = frozenset({"orderCount", "notional", "topSymbolShare"})


class TopologyError(ValueError):
    """The topology file cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class DetectorSettings:
    window_ms: int
    slide_ms: int
    allowed_lateness_ms: int
    max_order_count: int
    max_notional: float
    max_top_symbol_share: float
    concentration_min_orders: int
    symbol_max_order_count: int


def load_settings(path: str | Path) -> DetectorSettings:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TopologyError(f"cannot read detector topology {path}: {error}") from error
    return settings_from_json(raw, str(path))


def settings_from_json(raw: Any, source: str = "detector topology") -> DetectorSettings:
    top = _object(raw, source, TOP_LEVEL_KEYS)
    thresholds = _object(top.get("thresholds"), f"{source}: thresholds", THRESHOLD_KEYS)
    symbol_rule = _object(top.get("symbolRule"), f"{source}: symbolRule", frozenset({"orderCount"}))
    settings = DetectorSettings(
        window_ms=_whole(top, "windowMs", source),
        slide_ms=_whole(top, "slideMs", source),
        allowed_lateness_ms=_whole(top, "allowedLatenessMs", source, minimum=0),
        max_order_count=_whole(thresholds, "orderCount", source),
        max_notional=_positive(thresholds, "notional", source),
        max_top_symbol_share=_positive(thresholds, "topSymbolShare", source),
        concentration_min_orders=_whole(top, "concentrationMinOrders", source),
        symbol_max_order_count=_whole(symbol_rule, "orderCount", source),
    )
    _check_consistency(settings, source)
    return settings


def _object(value: Any, where: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise TopologyError(f"{where} must be a JSON object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        # Same rule as the zod strictObject: a misspelt limit must not silently keep a default.
        raise TopologyError(f"{where} has unknown keys: {', '.join(unknown)}")
    return value


def _whole(obj: Mapping[str, Any], key: str, where: str, minimum: int = 1) -> int:
    value = obj.get(key)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or value != int(value)
        or value < minimum
    ):
        raise TopologyError(f"{where}: {key} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _positive(obj: Mapping[str, Any], key: str, where: str) -> float:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise TopologyError(f"{where}: {key} must be a positive number, got {value!r}")
    return float(value)


def _check_consistency(settings: DetectorSettings, where: str) -> None:
    if settings.window_ms % settings.slide_ms != 0:
        raise TopologyError(f"{where}: slideMs must divide windowMs evenly")
    if settings.allowed_lateness_ms >= settings.window_ms:
        raise TopologyError(f"{where}: allowedLatenessMs must be less than windowMs")
    if settings.max_top_symbol_share > 1:
        raise TopologyError(f"{where}: thresholds.topSymbolShare must be at most 1")
