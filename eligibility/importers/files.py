"""Reading a whole file: choose the v6 JSON or the CSV parser by the file's content (then its name)."""

from __future__ import annotations

from ..services import ParticipationRecord
from .csv_rows import parse_csv
from .v6_json import parse_json


def parse_file(name: str, text: str) -> list[ParticipationRecord]:
    """Choose the parser by content: JSON when the text starts with ``{`` or ``[``, else CSV."""
    text = text.lstrip("\ufeff")
    if text.lstrip()[:1] in ("{", "["):
        return parse_json(text)
    if name.lower().endswith(".json"):
        return parse_json(text)
    return parse_csv(text)
