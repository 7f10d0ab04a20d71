"""The README stays a front door: short, and its backend table is the package's one backend list."""

from __future__ import annotations

import re
from pathlib import Path

from foundry_workshop.settings import BACKENDS

README = Path(__file__).resolve().parents[1] / "README.md"


def _table_after(heading: str, text: str) -> list[list[str]]:
    """Rows of the first Markdown table after ``heading`` (header and separator dropped)."""
    section = text.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            break
    return rows[2:]


def test_the_backend_table_lists_exactly_settings_backends_in_order():
    rows = _table_after("## Backends", README.read_text(encoding="utf-8"))
    names = [re.match(r"`([a-z_]+)`", row[0]).group(1) for row in rows]
    assert names == list(BACKENDS)


def test_the_readme_is_at_most_100_lines():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 100
