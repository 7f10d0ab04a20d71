"""The README stays a front door: short, and its backend table is the package's one backend list."""

from __future__ import annotations

import re
from pathlib import Path

from foundry_workshop.settings import BACKENDS, ENV_VARS, Settings

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


def test_the_lesson_table_lists_exactly_the_lessons_in_order():
    rows = _table_after("## Lessons", README.read_text(encoding="utf-8"))
    listed = [re.match(r"`([0-9]{2}_[a-z_]+)`", row[0]).group(1) for row in rows]
    lessons = sorted(p.stem for p in (README.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert listed == lessons


def test_every_docs_link_in_the_readme_exists():
    links = re.findall(r"\]\(((?:docs|shared)/[^)#]+)\)", README.read_text(encoding="utf-8"))
    assert links and [link for link in links if not (README.parent / link).is_file()] == []



def test_the_variables_page_lists_every_setting_with_its_default():
    """docs/backends-and-variables.md is where learners look variables up: it must not drift from settings."""
    page = README.parent / "docs" / "backends-and-variables.md"
    rows = _table_after("Every notebook starts", page.read_text(encoding="utf-8"))
    documented = {re.match(r"`([A-Z_]+)`", row[0]).group(1): row[2] for row in rows}
    defaults = Settings()
    for name, var in ENV_VARS.items():
        assert var in documented, f"{var} is missing from {page.name}"
        value = getattr(defaults, name)
        if value is None or name == "model":  # "none", "the SDK's default"; the model is written as an alias
            continue
        shown = str(int(value)) if isinstance(value, bool | float) else str(value)
        assert documented[var] == f"`{shown}`", f"{var}: the page says {documented[var]}, settings say {shown}"
