"""The job's identifier rule against canonicalId's readings (fixtures/identifier-cases.json, made by the TS
code on its runtime): the same canonical form, or the same refusal, for every case; and NFKC to ASCII for
exactly the characters the TS side's runtime maps to ASCII, whatever the Unicode version of this Python."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from riskjob.identifiers import NEWER_COMPATIBILITY, canonical_id, nfkc, utf16_length

FIXTURES = Path(__file__).parent / "fixtures"
CASES: dict[str, Any] = json.loads((FIXTURES / "identifier-cases.json").read_text("utf-8"))


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: f"{c['kind']}:{c['raw']!r}"[:60])
def test_the_same_reading_as_canonical_id(case: dict[str, Any]) -> None:
    assert canonical_id(case["kind"], case["raw"]) == case["id"]


def test_nfkc_maps_to_ascii_exactly_what_the_ts_side_maps_to_ascii() -> None:
    expected = {int(cp[2:], 16): form for cp, form in CASES["compatibility"].items()}
    found = {}
    for cp in range(0x80, 0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        form = nfkc(chr(cp))
        if form != chr(cp) and form.isascii():
            found[cp] = form
    assert found == expected


def test_the_table_holds_only_characters_this_unicode_does_not_map() -> None:
    # Once the workers' Python knows a character, its own NFKC must agree with the table.
    for cp, form in NEWER_COMPATIBILITY.items():
        native = unicodedata.normalize("NFKC", chr(cp))
        assert native in (chr(cp), form), hex(cp)


def test_lengths_count_utf16_code_units_as_javascript_does() -> None:
    assert utf16_length("abc") == 3
    assert utf16_length("\U0001d41a") == 2
    assert canonical_id("account", None) is None
