"""The one spelling rule for identifiers, as src/domain/identifiers.ts applies it (canonicalId).

Unicode NFKC, then trimmed, then symbols upper-cased, account ids and strategies lower-cased, order ids kept; the result must be
plain ASCII of the kind's shape and length, or the identifier is refused. An order with a refused
identifier is dead-lettered by the router, and the detector does not count it.

Three places where Python does not do what JavaScript does by itself, and what is done about each:
- str.strip() trims a different set of characters than String.prototype.trim() (it trims U+001C-U+001F
  and U+0085, which JavaScript keeps, and keeps U+FEFF, which JavaScript trims): the set is spelled out.
- len() counts code points, String.prototype.length UTF-16 code units: the bound on the raw text,
  taken before NFKC, counts the way JavaScript does.
- The workers' unicodedata is as old as their Python (EMR Serverless 7.x: Python 3.9, Unicode 13), where
  Node's ICU is newer. Normalization is stable for characters both know, so the only difference that can
  matter is a character assigned since whose NFKC form is ASCII: those are mapped first, as newer Unicode
  maps them (test/spark/fixtures/identifier-cases.json, made by Node, is the check).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Dict, Optional, Pattern

ACCOUNT = "account"
SYMBOL = "symbol"
STRATEGY = "strategy"
ORDER_ID = "order_id"

MAX_ID_LENGTH = 64
MAX_TICKER_LENGTH = 10
MAX_ORDER_ID_LENGTH = 128


@dataclass(frozen=True)
class Rule:
    pattern: Pattern[str]
    # "upper", "lower", or None: order ids keep their case, as in the TS rule.
    case: Optional[str]
    max_length: int


RULES: Dict[str, Rule] = {
    ACCOUNT: Rule(re.compile(r"[a-z0-9][a-z0-9._-]*"), case="lower", max_length=MAX_ID_LENGTH),
    STRATEGY: Rule(re.compile(r"[a-z0-9][a-z0-9._-]*"), case="lower", max_length=MAX_ID_LENGTH),
    SYMBOL: Rule(re.compile(r"[A-Z][A-Z0-9.]*"), case="upper", max_length=MAX_TICKER_LENGTH),
    ORDER_ID: Rule(re.compile(r"[\x21-\x7e]+"), case=None, max_length=MAX_ORDER_ID_LENGTH),
}

# ECMAScript's WhiteSpace and LineTerminator: what String.prototype.trim() removes.
JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)

# Characters assigned after Unicode 13.0 whose NFKC form is ASCII (14.0: U+A7F2-U+A7F4 and U+107A5;
# after 15.1: U+A7F1 and the outlined letters and digits U+1CCD6-U+1CCF9), mapped as Node maps them.
# Mapping them before NFKC gives what NFKC with their decompositions gives: each is one ASCII character.
NEWER_COMPATIBILITY: Dict[int, str] = {
    0xA7F1: "S",
    0xA7F2: "C",
    0xA7F3: "F",
    0xA7F4: "Q",
    0x107A5: "q",
    **{0x1CCD6 + i: chr(ord("A") + i) for i in range(26)},
    **{0x1CCF0 + i: chr(ord("0") + i) for i in range(10)},
}


def utf16_length(text: str) -> int:
    """String.prototype.length: a character beyond the Basic Multilingual Plane counts twice."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def nfkc(text: str) -> str:
    """String.prototype.normalize('NFKC') as the TS side's runtime computes it."""
    return unicodedata.normalize("NFKC", text.translate(NEWER_COMPATIBILITY))


def canonical_id(kind: str, raw: Optional[str]) -> Optional[str]:
    """The canonical form of `raw` as an identifier of `kind`, or None where canonicalId refuses it."""
    if raw is None:
        return None
    rule = RULES[kind]
    # Bounded before NFKC, as in the TS, so that a huge text is refused before it is normalised.
    if len(raw) > rule.max_length and utf16_length(raw) > rule.max_length * 4:
        return None
    folded = nfkc(raw).strip(JS_WHITESPACE)
    ident = folded.upper() if rule.case == "upper" else folded.lower() if rule.case == "lower" else folded
    # Only ASCII passes the pattern, and for ASCII code points and UTF-16 units are the same count.
    if not ident or len(ident) > rule.max_length or rule.pattern.fullmatch(ident) is None:
        return None
    return ident
