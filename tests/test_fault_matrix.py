"""The fault matrix (see tests/fault_matrix.py): every cell must be actionable, and docs/fault-matrix.md must be
the table these cells generate (`make fault-matrix` rewrites it)."""

from __future__ import annotations

import fault_matrix
import pytest

pytestmark = pytest.mark.bundled  # one row runs on the real bundled llama.cpp server

CELLS = [(f.name, s) for f in fault_matrix.FAULTS for s in fault_matrix.SURFACES if s in f.surfaces]


@pytest.fixture(scope="module")
def results(bundled):
    """All cells, run once for the module (shared servers; the whole matrix runs in seconds)."""
    return fault_matrix.run(bundled)


@pytest.mark.parametrize(("fault", "surface"), CELLS)
def test_cell_is_actionable(results, fault, surface):
    outcome = results[fault, surface]
    if surface == "plain" and fault in fault_matrix.KNOWN_PLAIN_CRASHES:  # the bare client, as openai behaves
        assert (outcome.verdict, outcome.escaped) == ("crashing", fault_matrix.KNOWN_PLAIN_CRASHES[fault])
        return
    assert outcome.verdict == "actionable", f"{fault} x {surface}: {outcome.verdict}: {outcome.message!r}"
    assert outcome.kept is not False, f"{fault} x {surface} lost the conversation or the samples"


def test_the_published_table_is_current(results):
    expected = fault_matrix.render(results)
    published = fault_matrix.TABLE.read_text(encoding="utf-8") if fault_matrix.TABLE.exists() else ""
    assert published == expected, "docs/fault-matrix.md is out of date: run `make fault-matrix` and commit it"
