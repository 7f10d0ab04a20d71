"""foundry_workshop.tools (schema output, argument validation, the tool loop) and foundry_workshop.rag
(retrieval, evaluation) against the mock: deterministic, fast."""

from __future__ import annotations

import numpy as np
import openai
import pytest

from foundry_workshop.mock import MockServer
from foundry_workshop.rag import (
    Document,
    Question,
    VectorIndex,
    carries_fact,
    cited_ids,
    course_documents,
    course_questions,
    embed,
    evaluate_answers,
    grounded_messages,
    hit_rate_at_k,
)
from foundry_workshop.settings import BACKENDS
from foundry_workshop.tools import (
    InvalidToolArgumentsError,
    StructuredOutputError,
    Tool,
    ToolCallingUnsupportedError,
    json_schema_format,
    parse_structured,
    run_tool_loop,
    validate_arguments,
)

MODEL = "smollm2-135m-instruct"
CITY = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
        "additionalProperties": False}


def weather_tool(calls: list[str]) -> Tool:
    return Tool("get_weather", "Current weather", CITY, lambda city: calls.append(city) or {"city": city, "c": 21})


def test_validate_arguments_accepts_and_rejects() -> None:
    tool = weather_tool([])
    assert validate_arguments(tool, '{"city": "Oslo"}') == {"city": "Oslo"}
    for raw, words in (('{"city": ', "not JSON"), ('{"town": "Oslo"}', "city"), ("[1]", "JSON object"),
                       ('{"city": 3}', "not of type 'string'")):
        with pytest.raises(InvalidToolArgumentsError, match=words):
            validate_arguments(tool, raw)


def test_parse_structured_explains_what_is_wrong() -> None:
    schema = {"type": "object", "properties": {"age": {"type": "integer"}}, "required": ["age"]}
    assert parse_structured('{"age": 3}', schema) == {"age": 3}
    with pytest.raises(StructuredOutputError, match="not JSON"):
        parse_structured('{"age": 3', schema)
    with pytest.raises(StructuredOutputError, match="at age"):
        parse_structured('{"age": "three"}', schema)
    assert json_schema_format("p", schema)["json_schema"] == {"name": "p", "schema": schema, "strict": True}


def test_tool_loop_runs_the_tool_and_answers(client: openai.OpenAI, mock: MockServer) -> None:
    calls: list[str] = []
    result = run_tool_loop(client, MODEL, [{"role": "user", "content": "Weather in Lima?"}], [weather_tool(calls)])
    assert calls == ["Lima"] and result.requests == 2
    assert [s.name for s in result.steps] == ["get_weather"] and result.steps[0].ok
    assert '"c": 21' in result.answer
    sent = mock.requests[-1]["json"]["messages"]
    assert sent[-1]["role"] == "tool" and sent[-1]["tool_call_id"] == sent[-2]["tool_calls"][0]["id"]


def test_invalid_arguments_are_not_run_and_go_back_to_the_model(client: openai.OpenAI) -> None:
    calls: list[str] = []
    result = run_tool_loop(client, MODEL, [{"role": "user", "content": "Weather?"}], [weather_tool(calls)],
                           extra_headers={"X-Mock-Tool-Call": 'get_weather {"town": "Lima"}'})
    assert calls == [] and not result.steps[0].ok
    assert result.steps[0].result.startswith("error:") and "Nothing was run" in result.answer


def test_a_model_that_does_not_call_is_a_clear_error(client: openai.OpenAI) -> None:
    with pytest.raises(ToolCallingUnsupportedError, match="supportsToolCalling") as caught:
        run_tool_loop(client, MODEL, [{"role": "user", "content": "hi"}], [weather_tool([])],
                      tool_choice="required", max_requests=1,
                      extra_body={"tool_choice": "none"})
    assert "answered in text" in str(caught.value)


def test_course_data_is_consistent() -> None:
    documents, questions = course_documents(), course_questions()
    ids = [d.id for d in documents]
    assert 20 <= len(documents) <= 40 and len(set(ids)) == len(ids)
    assert all(q.doc in ids for q in questions)
    by_id = {d.id: d for d in documents}
    assert all(q.fact.lower() in by_id[q.doc].text.lower() for q in questions), "each fact is in its document"
    assert all(name in by_id["course-backends"].text for name in BACKENDS), "the backend list follows settings"


def test_retrieval_and_evaluation_on_mock_embeddings(client: openai.OpenAI) -> None:
    documents, questions = course_documents(), course_questions()
    index = VectorIndex.build(client, "all-minilm-l6-v2", documents)
    vectors = embed(client, "all-minilm-l6-v2", [q.question for q in questions])
    rates = [hit_rate_at_k(index, questions, vectors, k) for k in (1, 3, len(documents))]
    assert rates == sorted(rates) and rates[-1] == 1.0 and rates[1] >= 0.5  # bag-of-words finds most


def test_index_ranks_by_cosine_not_length() -> None:
    docs = [Document("long", "", ""), Document("close", "", "")]
    index = VectorIndex(docs, np.array([[10.0, 3.0], [0.1, 1.0]]))
    assert [h.document.id for h in index.search(np.array([0.0, 1.0]), 2)] == ["close", "long"]
    with pytest.raises(ValueError, match="2 documents but 1 vectors"):
        VectorIndex(docs, np.array([[1.0, 0.0]]))


def test_answer_scoring() -> None:
    hits = VectorIndex([Document("fl-port", "t", "Run foundry server status.")], np.eye(1)).search(np.ones(1), 1)
    assert "[fl-port] Run foundry server status." in grounded_messages("Port?", hits)[1]["content"]
    assert cited_ids("It is shown by foundry server status [fl-port], see [x-1].") == ["fl-port", "x-1"]
    assert carries_fact("Use  Foundry\nServer status", "foundry server status")
    question = Question("Port?", "fl-port", "server status")
    [record] = evaluate_answers([question], lambda q: ("Run foundry server status [fl-port].", ["fl-port"]))
    assert record.hit and record.carries_fact and record.cites_source
    [miss] = evaluate_answers([question], lambda q: ("No idea.", ["other"]))
    assert not (miss.hit or miss.carries_fact or miss.cites_source)
