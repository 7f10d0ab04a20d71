"""Per exercise: a plausible wrong answer (and what its check needs), for ``tests/test_exercises.py``.

Adding an exercise to the course? Register its check (``foundry_workshop/exercises/lessonNN.py``), put the
stub in the notebook and the solution in ``notebooks/solutions/``, then add one ``Case`` here: a wrong
answer a learner might really write (its check must reject it with a hint of its own, different from the
stub's), and ``context``: the keyword arguments the notebook passes to ``check()``, built from ``Env``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openai


@dataclass
class Env:
    """What contexts are built from: a connection to the session mock (the same one nbval uses)."""

    client: openai.OpenAI
    model: str
    endpoint: str
    api_key: str
    headers: dict[str, str]


@dataclass
class Case:
    wrong: Callable[..., Any]
    context: Callable[[Env], dict[str, Any]] = field(default=lambda env: {})
    #: A fragment the wrong answer's hint must contain (optional; proves the hint is the specific one).
    hint_contains: str = ""


def client_and_model(env: Env) -> dict[str, Any]:
    return {"client": env.client, "model": env.model}


# -- lesson 00 -------------------------------------------------------------------------------------------
def ask_returns_response(client, model, question):
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": question}])


# -- lesson 01 -------------------------------------------------------------------------------------------
def make_client_without_base_url(endpoint, api_key):
    return openai.OpenAI(api_key=api_key)  # talks to api.openai.com, not the local server


def chat_dropping_options(client, model, system, user, **options):
    r = client.chat.completions.create(
        model=model, messages=[{"role": "system", "content": system}, {"role": "user", "content": user}]
    )
    return r.choices[0].message.content, r.usage


# -- lesson 02 -------------------------------------------------------------------------------------------
def collect_stream_assuming_choices(chunks):
    parts, usage = [], None
    for chunk in chunks:
        parts.append(chunk.choices[0].delta.content or "")  # the usage chunk has choices == []
        usage = chunk.usage
    return "".join(parts), len(parts), usage


# -- lesson 03 -------------------------------------------------------------------------------------------
def sse_data_requiring_space(line):
    return line[len("data: "):] if line.startswith("data: ") else None


def sse_text_requiring_space(lines):
    parts = []
    for line in lines:
        if not line.startswith("data: "):
            continue
        if line == "data: [DONE]":
            break
        for choice in json.loads(line[len("data: "):])["choices"]:
            parts.append(choice["delta"].get("content") or "")
    return "".join(parts)


# -- lesson 08 -------------------------------------------------------------------------------------------
def digit_pixels_without_cropping(ink):
    import numpy as np

    height, width = ink.shape  # samples the whole canvas: a small drawing stays small
    ys = ((np.arange(32) + 0.5) * height / 32).astype(int)
    xs = ((np.arange(32) + 0.5) * width / 32).astype(int)
    return ink[ys][:, xs].astype(int).reshape(8, 4, 8, 4).sum(axis=(1, 3)).flatten().tolist()


def decode_speed_counting_the_wait(started, token_times):
    return token_times[0] - started, len(token_times) / (token_times[-1] - started)


CASES: dict[str, Case] = {
    "00.ask": Case(ask_returns_response, client_and_model, "whole response object"),
    "01.make_client": Case(make_client_without_base_url,
                           lambda env: {"endpoint": env.endpoint, "api_key": env.api_key}, "base_url=endpoint"),
    "01.chat": Case(chat_dropping_options, client_and_model, "**options"),
    "02.collect_stream": Case(collect_stream_assuming_choices, client_and_model, "usage chunk"),
    "03.sse_data": Case(sse_data_requiring_space, hint_contains="space after 'data:' is optional"),
    "03.sse_text": Case(sse_text_requiring_space,
                        lambda env: {"base_url": env.endpoint, "headers": env.headers, "model": env.model},
                        "no space"),
    "08.digit_pixels": Case(digit_pixels_without_cropping, hint_contains="bounding box"),
    "08.decode_speed": Case(decode_speed_counting_the_wait, hint_contains="decoding only"),
}
