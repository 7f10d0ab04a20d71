"""Every exercise, proven in-process against the session mock: the notebook's untouched stub is rejected
with its hint, a plausible wrong answer (``exercise_cases.py``) with a different hint, and the reference
solution from ``notebooks/solutions`` passes. Each notebook still runs end to end under nbval.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from exercise_cases import CASES, Env
from notebook_cells import NOTEBOOKS, code_cells, imports_of
from openai import OpenAI

from foundry_workshop import connect, free_port
from foundry_workshop.exercises import SOLUTIONS_DIR_VAR, evaluate, exercise, list_exercises, parse_id

_STUB = re.compile(r"""@exercise\(\s*["'](?P<id>\d{2}\.\w+)["']""")
IDS = [info.id for info in list_exercises()]


@dataclass
class Stub:
    notebook: str
    source: str
    imports: str  # every top-level import of the cells before it, so annotations resolve
    checked: bool  # a later cell calls check("<id>", ...)


def _stubs() -> dict[str, Stub]:
    found: dict[str, Stub] = {}
    for path in sorted(NOTEBOOKS.glob("[0-9]*.ipynb")):
        sources = code_cells(path.name)
        for index, source in enumerate(sources):
            for match in _STUB.finditer(source):
                later = "\n".join(sources[index:])
                checked = re.search(rf"""check\(\s*["']{re.escape(match["id"])}["']""", later) is not None
                found[match["id"]] = Stub(path.name, source, imports_of(sources[:index]), checked)
    return found


STUBS = _stubs()


def learner_function(exercise_id: str) -> Any:
    """The function the learner gets, exactly as the notebook cell defines it (solutions off)."""
    stub = STUBS[exercise_id]
    namespace: dict[str, Any] = {"__name__": "__notebook__", "SOLUTIONS": False}
    exec(compile(stub.imports, f"<{stub.notebook} imports>", "exec"), namespace)
    exec(compile(stub.source, f"<{stub.notebook} stub {exercise_id}>", "exec"), namespace)
    return namespace[parse_id(exercise_id)[1]]


@pytest.fixture(scope="module")
def env(mock_server: Any) -> Iterator[Env]:
    with connect(backend="mock") as conn:
        yield Env(conn.client, conn.model, conn.endpoint, conn.api_key, dict(conn.headers))


@pytest.fixture(autouse=True)
def solutions_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOLUTIONS_DIR_VAR, str(NOTEBOOKS / "solutions"))


def test_notebook_stubs_match_the_registered_checks() -> None:
    assert sorted(STUBS) == sorted(IDS), "every @exercise stub in a notebook needs a registered check, and back"
    assert sorted(CASES) == sorted(IDS), "add a Case (wrong answer) in tests/exercise_cases.py for each exercise"
    unchecked = [i for i, stub in STUBS.items() if not stub.checked]
    assert not unchecked, f"these notebooks never call check() for {unchecked}"


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_untouched_stub_is_rejected(exercise_id: str, env: Env) -> None:
    result = evaluate(exercise_id, learner_function(exercise_id), **CASES[exercise_id].context(env))
    assert not result.passed
    assert result.hint.startswith("not written yet:"), result.hint


WRONG = [(i, n) for i in IDS if i in CASES for n in range(len(CASES[i].wrong_answers))]


@pytest.mark.parametrize(("exercise_id", "number"), WRONG)
def test_a_wrong_answer_is_rejected_with_its_own_hint(exercise_id: str, number: int, env: Env) -> None:
    case = CASES[exercise_id]
    wrong = case.wrong_answers[number]
    result = evaluate(exercise_id, wrong, **case.context(env))
    assert not result.passed, f"{wrong.__name__} passed the check of {exercise_id}"
    assert result.hint and not result.hint.startswith("not written yet")
    if number == 0:
        assert case.hint_contains in result.hint, result.hint


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_reference_solution_passes(exercise_id: str, env: Env) -> None:
    solution = exercise(exercise_id, solutions=True)(learner_function(exercise_id))
    result = evaluate(exercise_id, solution, **CASES[exercise_id].context(env))
    assert result.passed, result.hint
    assert result.reference


def test_a_right_answer_through_with_options_is_recorded_and_passes(env: Env) -> None:
    def ask(client, model, question):
        r = client.with_options(timeout=30).chat.completions.create(
            model=model, messages=[{"role": "user", "content": question}])
        return r.choices[0].message.content

    result = evaluate("00.ask", ask, client=env.client, model=env.model)
    assert result.passed, result.hint


def right_ask(client, model, question):
    r = client.chat.completions.create(model=model, messages=[{"role": "user", "content": question}])
    return r.choices[0].message.content


def test_a_server_that_is_down_gets_the_url_and_the_next_step(env: Env) -> None:
    down = OpenAI(base_url=f"http://127.0.0.1:{free_port()}/v1", api_key="x", max_retries=0)
    result = evaluate("00.ask", right_ask, client=down, model=env.model)
    assert not result.passed and result.hint.startswith("APIConnectionError: Could not reach")
    assert str(down.base_url).rstrip("/") in result.hint and "foundry server status" in result.hint


def test_a_tool_error_sent_back_as_json_passes(env: Env) -> None:
    """``{"error": ...}`` is as good a tool message as text starting with "error": both tell the model to retry."""
    import json

    import jsonschema

    def run_tool_call(call, tools, functions):
        schemas = {t["function"]["name"]: t["function"]["parameters"] for t in tools}
        try:
            arguments = json.loads(call.function.arguments)
            jsonschema.validate(arguments, schemas[call.function.name])
        except (ValueError, jsonschema.ValidationError, KeyError) as error:
            return {"role": "tool", "tool_call_id": call.id, "content": json.dumps({"error": str(error)})}
        result = functions[call.function.name](**arguments)
        return {"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)}

    result = evaluate("10.run_tool_call", run_tool_call)
    assert result.passed, result.hint
