"""Number formatting as JavaScript does it, so a KILL reason reads the same from either detector.

Python's round() and format() round half to even; Math.round and Number.prototype.toFixed do not.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def js_round(value: float) -> int:
    """Math.round: halves go up (towards +infinity), also for negatives."""
    return math.floor(value + 0.5)


def js_to_fixed(value: float, digits: int) -> str:
    """Number.prototype.toFixed for finite values below 1e21: the exact binary value, halves up."""
    quantum = Decimal(1).scaleb(-digits)
    return str(Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP))


def js_number(value: float) -> str:
    """String(n) for the magnitudes a limit takes (1e-4 and up): integral values without a fraction,
    others in shortest round-trip form, which Python's repr shares with JavaScript."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(float(value))
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa.removesuffix('.0')}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
    return text


def window_label(window_ms: int) -> str:
    return f"{window_ms // 1000}s" if window_ms % 1000 == 0 else f"{window_ms}ms"
