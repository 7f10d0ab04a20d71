"""Structured output, tool calls and embeddings on the real bundled servers (llama.cpp via xllamacpp).

Constrained decoding makes the *shape* certain, so shape is asserted here; how often the values are right is
measured by samples/measure_tools.py and lesson 11's evaluation, never asserted as a rate or a time.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import requests

from foundry_workshop.rag import connect_embeddings, course_documents, course_questions, embed, gguf_path
from foundry_workshop.rag.evaluation import hit_rate_at_k
from foundry_workshop.rag.retrieval import VectorIndex
from foundry_workshop.tools import Tool, json_schema_format, parse_structured, run_tool_loop, validate_arguments

pytestmark = pytest.mark.bundled
CITY = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
        "additionalProperties": False}
WEATHER = Tool("get_weather", "Current weather for a city", CITY, lambda city: {"city": city, "sky": "clear"})


def test_without_tools_the_prompt_is_smollm2s_own(bundled) -> None:
    root = bundled.endpoint.removesuffix("/v1")
    for messages, system in (([{"role": "user", "content": "hi"}],
                              "You are a helpful AI assistant named SmolLM, trained by Hugging Face"),
                             ([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}],
                              "Be brief.")):
        prompt = requests.post(f"{root}/apply-template", json={"messages": messages}, timeout=30).json()["prompt"]
        expected = f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
        assert prompt == expected


def test_response_format_gives_schema_valid_json(bundled) -> None:
    schema = {"type": "object", "properties": {"answer": {"enum": ["yes", "no"]}, "sure": {"type": "boolean"}},
              "required": ["answer", "sure"], "additionalProperties": False}
    reply = bundled.client.chat.completions.create(
        model=bundled.model, messages=[{"role": "user", "content": "Is Paris in France? Answer as JSON."}],
        response_format=json_schema_format("yes_no", schema), max_tokens=30, temperature=0)
    assert set(parse_structured(reply.choices[0].message.content, schema)) == {"answer", "sure"}


def test_required_tool_choice_gives_a_valid_tool_call(bundled) -> None:
    reply = bundled.client.chat.completions.create(
        model=bundled.model, messages=[{"role": "user", "content": "Weather in Oslo?"}],
        tools=[WEATHER.spec()], tool_choice="required", max_tokens=40, temperature=0)
    assert reply.choices[0].finish_reason == "tool_calls"
    [call] = reply.choices[0].message.tool_calls
    assert call.function.name == "get_weather"
    assert set(validate_arguments(WEATHER, call.function.arguments)) == {"city"}


def test_the_tool_loop_completes(bundled) -> None:
    result = run_tool_loop(bundled.client, bundled.model, [{"role": "user", "content": "Weather in Tokyo?"}],
                           [WEATHER], max_tokens=40, temperature=0)
    assert result.steps and result.steps[0].ok and result.requests >= 2
    assert json.loads(result.steps[0].result)["sky"] == "clear"


@pytest.fixture(scope="module")
def embeddings():
    if not gguf_path().is_file():
        pytest.skip(f"{gguf_path()} is missing: run `make embedding-model` (make test does)")
    with connect_embeddings(backend="bundled") as conn:
        yield conn


def test_embedding_server_speaks_openai_and_retrieves(embeddings) -> None:
    a, b, c = embed(embeddings.client, embeddings.model,
                    ["How do I install Foundry Local?", "Installing Foundry Local", "Cosine similarity of vectors"])
    assert a.shape == (384,) and abs(float(np.linalg.norm(a)) - 1) < 1e-4
    assert a @ b > a @ c
    raw = requests.post(f"{embeddings.endpoint}/embeddings", timeout=60,
                        json={"model": embeddings.model, "input": ["a", "b"]}).json()
    assert [d["index"] for d in raw["data"]] == [0, 1] and raw["usage"]["prompt_tokens"] > 0
    documents, questions = course_documents(), course_questions()
    index = VectorIndex.build(embeddings.client, embeddings.model, documents)
    vectors = embed(embeddings.client, embeddings.model, [q.question for q in questions])
    assert hit_rate_at_k(index, questions, vectors, len(documents)) == 1.0
    assert hit_rate_at_k(index, questions, vectors, 3) >= 0.75  # measured 1.0; a broken model scores ~0.1
