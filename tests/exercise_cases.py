"""Per exercise: a plausible wrong answer (and what its check needs), for ``tests/test_exercises.py``.

Adding an exercise to the course? Register its check (``foundry_workshop/exercises/lessonNN.py``), put the
stub in the notebook and the solution in ``notebooks/solutions/``, then add one ``Case`` here: a wrong
answer a learner might really write, or a list of them (its check must reject each with a hint of its own,
different from the stub's), and ``context``: the keyword arguments the notebook passes to ``check()``, built
from ``Env``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import openai
import requests


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
    #: One wrong answer, or several.
    wrong: Callable[..., Any] | Sequence[Callable[..., Any]]
    context: Callable[[Env], dict[str, Any]] = field(default=lambda env: {})
    #: A fragment the (first) wrong answer's hint must contain (optional; proves the hint is the specific one).
    hint_contains: str = ""

    @property
    def wrong_answers(self) -> list[Callable[..., Any]]:
        return [self.wrong] if callable(self.wrong) else list(self.wrong)


def client_and_model(env: Env) -> dict[str, Any]:
    return {"client": env.client, "model": env.model}


# -- lesson 00 -------------------------------------------------------------------------------------------
def ask_returns_response(client, model, question):
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": question}])


def ask_returns_str_of_response(client, model, question):
    return str(ask_returns_response(client, model, question))


def ask_returns_str_of_message(client, model, question):
    return str(ask_returns_response(client, model, question).choices[0].message)


def ask_returns_the_question(client, model, question):
    ask_returns_response(client, model, question)
    return question


# -- lesson 01 -------------------------------------------------------------------------------------------
def make_client_without_base_url(endpoint, api_key):
    return openai.OpenAI(api_key=api_key)  # talks to api.openai.com, not the local server


def chat_dropping_options(client, model, system, user, **options):
    r = client.chat.completions.create(
        model=model, messages=[{"role": "system", "content": system}, {"role": "user", "content": user}]
    )
    return r.choices[0].message.content, r.usage


def _chat_response(client, model, system, user, **options):
    return client.chat.completions.create(
        model=model, messages=[{"role": "system", "content": system}, {"role": "user", "content": user}], **options
    )


def chat_returning_the_question(client, model, system, user, **options):
    return user, _chat_response(client, model, system, user, **options).usage


def chat_returning_finish_reason(client, model, system, user, **options):
    r = _chat_response(client, model, system, user, **options)
    return r.choices[0].finish_reason, r.usage


# -- lesson 02 -------------------------------------------------------------------------------------------
def collect_stream_assuming_choices(chunks):
    parts, usage = [], None
    for chunk in chunks:
        parts.append(chunk.choices[0].delta.content or "")  # the usage chunk has choices == []
        usage = chunk.usage
    return "".join(parts), len(parts), usage


def collect_stream_counting_words(chunks):
    parts, usage = [], None
    for chunk in chunks:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
        usage = chunk.usage or usage
    text = "".join(parts)
    return text, len(text.split()), usage


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


# -- lesson 09 -------------------------------------------------------------------------------------------
def lean_environment_keeping_tools(openai_url, model):
    return {"OPENAI_API_BASE_URL": openai_url, "DEFAULT_MODELS": model, "OFFLINE_MODE": "true",
            "ENABLE_OLLAMA_API": "False", "ENABLE_TITLE_GENERATION": "False", "ENABLE_TAGS_GENERATION": "False",
            "ENABLE_FOLLOW_UP_GENERATION": "False"}  # forgot DEFAULT_MODEL_PARAMS: the 36 tools stay


def health_check_that_raises(base_url, model):
    listed = [m["id"] for m in requests.get(f"{base_url}/models", timeout=5).json()["data"]]  # down: raises
    if model in listed:
        return {"status": "ok", "model": model}
    return {"status": "unavailable", "reason": f"{model} is not listed"}


# -- lesson 10 -------------------------------------------------------------------------------------------
def run_tool_call_trusting_the_model(call, tools, functions):
    result = functions[call.function.name](**json.loads(call.function.arguments))  # no schema check
    return {"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)}


# -- lesson 11 -------------------------------------------------------------------------------------------
def top_k_by_dot_product(doc_vectors, query, k):
    return list((doc_vectors @ query).argsort()[::-1][:k])  # forgets to normalise: long vectors win


CASES: dict[str, Case] = {
    "00.ask": Case([ask_returns_response, ask_returns_str_of_response, ask_returns_str_of_message,
                    ask_returns_the_question], client_and_model, "whole response object"),
    "01.make_client": Case(make_client_without_base_url,
                           lambda env: {"endpoint": env.endpoint, "api_key": env.api_key}, "base_url=endpoint"),
    "01.chat": Case([chat_dropping_options, chat_returning_the_question, chat_returning_finish_reason],
                    client_and_model, "**options"),
    "02.collect_stream": Case([collect_stream_assuming_choices, collect_stream_counting_words], client_and_model,
                              "usage chunk"),
    "03.sse_data": Case(sse_data_requiring_space, hint_contains="space after 'data:' is optional"),
    "03.sse_text": Case(sse_text_requiring_space,
                        lambda env: {"base_url": env.endpoint, "headers": env.headers, "model": env.model},
                        "no space"),
    "08.digit_pixels": Case(digit_pixels_without_cropping, hint_contains="bounding box"),
    "08.decode_speed": Case(decode_speed_counting_the_wait, hint_contains="decoding only"),
    "09.lean_environment": Case(lean_environment_keeping_tools,
                                lambda env: {"openai_url": env.endpoint, "model": env.model}, "36 built-in tools"),
    "09.health_check": Case(health_check_that_raises,
                            lambda env: {"base_url": env.endpoint, "model": env.model}, "not raise"),
    "10.run_tool_call": Case(run_tool_call_trusting_the_model, hint_contains="return an error message"),
    "11.top_k": Case(top_k_by_dot_product, hint_contains="Normalise"),
}


# -- lessons 04-07 (lessons-b) ------------------------------------------------------------------------------
def validate_by_substring(base_url, model_id, headers=None):
    import requests

    listing = requests.get(f"{base_url}/models", headers=headers, timeout=10).text  # "in" on the raw text
    chat = requests.post(f"{base_url}/chat/completions", headers=headers, timeout=60, json={
        "model": model_id, "messages": [{"role": "user", "content": "Say OK."}], "max_tokens": 10})
    text = chat.json()["choices"][0]["message"]["content"] if chat.ok else ""
    return {"listed": model_id in listing, "answers": bool(text.strip())}


def pick_variant_by_prefix(catalog, alias, cached):
    matching = [v["name"] for v in catalog if v["name"].lower().startswith(alias.lower())]
    return matching[0] if matching else None


def stream_stats_seed_formula(start, arrivals, completion_tokens):
    elapsed = arrivals[-1] - start
    return {"ttft_s": arrivals[0] - start, "latency_s": elapsed, "decode_tps": (completion_tokens or 0) / elapsed}


def pick_model_lowest_ttft(rows, max_ttft_p95_s, min_quality):
    ok = [r for r in rows if r["status"] != "failed" and r["ttft_p95"] is not None
          and r["ttft_p95"] <= max_ttft_p95_s and (r["quality"] or 0) >= min_quality]
    return min(ok, key=lambda r: r["ttft_p95"])["model"] if ok else None


async def stream_answer_forgetting_history(client, model, history, text, msg):
    stream = await client.chat.completions.create(  # the seed's handler: only the system prompt and the message
        model=model, stream=True,
        messages=[{"role": "system", "content": "You are a helpful AI assistant."}, {"role": "user", "content": text}],
    )
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            await msg.stream_token(chunk.choices[0].delta.content)
    await msg.send()


def confidential_words_case_sensitive(request):
    from foundry_workshop.routing import LOCAL, Decision

    text = " ".join(str(m.get("content") or "") for m in request.messages)
    return Decision(LOCAL, "keywords") if any(w in text for w in ("password", "salary", "patient")) else None


def ask_with_fallback_on_any_error(local, local_model, cloud, cloud_model, prompt):
    messages = [{"role": "user", "content": prompt}]
    try:
        return "local", local.chat.completions.create(model=local_model, messages=messages).choices[0].message.content
    except Exception:  # also hides mistakes such as an unknown model
        return "cloud", cloud.chat.completions.create(model=cloud_model, messages=messages).choices[0].message.content


CASES.update({
    "04.validate": Case(validate_by_substring,
                        lambda env: {"base_url": env.endpoint, "model_id": env.model, "headers": env.headers},
                        "not substrings"),
    "04.pick_variant": Case(pick_variant_by_prefix, hint_contains="never a prefix"),
    "05.stream_stats": Case(stream_stats_seed_formula, hint_contains="the wait for the first token is not decoding"),
    "05.pick_model": Case(pick_model_lowest_ttft, hint_contains="HIGHEST decode rate"),
    "06.stream_answer": Case(stream_answer_forgetting_history,
                             lambda env: {"endpoint": env.endpoint, "api_key": env.api_key, "model": env.model},
                             "whole conversation"),
    "07.confidential_words": Case(confidential_words_case_sensitive, hint_contains="without regard to case"),
    "07.ask_with_fallback": Case(ask_with_fallback_on_any_error, hint_contains="Do not fall back on a mistake"),
})
