#!/usr/bin/env python3
"""How often does a model produce valid structured output and correct tool calls? Measured, not assumed.

    python samples/measure_tools.py [--trials 20] [--backend bundled] [--out build/measure-tools.json]

Three tasks, each ``--trials`` times over varied prompts (temperature 0.7, a different seed per trial):

* schema: ``response_format`` json_schema for {name, age}; rates of valid JSON, schema-valid JSON, correct values;
* tool call: ``tools`` + ``tool_choice="required"``; rates of a tool call, valid arguments, correct arguments;
* loop: the whole tool loop (:func:`foundry_workshop.tools.run_tool_loop`); rate of answers quoting the result.

Prints a JSON report with rates and median/p95 seconds per request (docs/tools-and-rag.md quotes one run).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from foundry_workshop import connect
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

PEOPLE = [("Ada", 36), ("Linus", 54), ("Grace", 85), ("Alan", 41), ("Marie", 66), ("Tim", 69), ("Ken", 82)]
CITIES = ["Paris", "Tokyo", "Lima", "Oslo", "Cairo", "Berlin", "Seoul", "Quito", "Dublin", "Nairobi"]
PERSON = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
          "required": ["name", "age"], "additionalProperties": False}
WEATHER = Tool("get_weather", "Current weather for a city", {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False,
}, lambda city: {"city": city, "temperature_c": 21, "sky": "clear"})


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    return fn(), time.perf_counter() - started


def schema_trial(conn: Any, i: int) -> tuple[dict[str, bool], float]:
    name, age = PEOPLE[i % len(PEOPLE)]
    response, seconds = _timed(lambda: conn.client.chat.completions.create(
        model=conn.model, max_tokens=40, temperature=0.7, seed=i,
        messages=[{"role": "user", "content": f"{name} is {age} years old. Give name and age as JSON."}],
        response_format=json_schema_format("person", PERSON)))
    text = response.choices[0].message.content or ""
    try:
        json.loads(text)
        valid_json = True
    except json.JSONDecodeError:
        valid_json = False
    try:
        value = parse_structured(text, PERSON)
    except StructuredOutputError:
        return {"valid_json": valid_json, "schema_valid": False, "correct": False}, seconds
    return {"valid_json": True, "schema_valid": True,
            "correct": value["name"] == name and value["age"] == age}, seconds


def tool_trial(conn: Any, i: int) -> tuple[dict[str, bool], float]:
    city = CITIES[i % len(CITIES)]
    response, seconds = _timed(lambda: conn.client.chat.completions.create(
        model=conn.model, max_tokens=40, temperature=0.7, seed=i, tools=[WEATHER.spec()], tool_choice="required",
        messages=[{"role": "user", "content": f"What is the weather in {city}?"}]))
    calls = response.choices[0].message.tool_calls or []
    if not calls:
        return {"tool_call": False, "valid_arguments": False, "correct_arguments": False}, seconds
    try:
        arguments = validate_arguments(WEATHER, calls[0].function.arguments)
    except InvalidToolArgumentsError:
        return {"tool_call": True, "valid_arguments": False, "correct_arguments": False}, seconds
    return {"tool_call": True, "valid_arguments": True, "correct_arguments": arguments["city"] == city}, seconds


def loop_trial(conn: Any, i: int) -> tuple[dict[str, bool], float]:
    city = CITIES[i % len(CITIES)]
    started = time.perf_counter()
    try:
        result = run_tool_loop(conn.client, conn.model, [{"role": "user", "content": f"Weather in {city}?"}],
                               [WEATHER], max_tokens=48, temperature=0.7, seed=i)
    except ToolCallingUnsupportedError:
        return {"completed": False, "answer_quotes_result": False}, time.perf_counter() - started
    quotes = "21" in result.answer or "clear" in result.answer.lower()
    return {"completed": True, "answer_quotes_result": quotes}, time.perf_counter() - started


def summarise(rows: list[tuple[dict[str, bool], float]]) -> dict[str, Any]:
    keys = rows[0][0].keys()
    seconds = sorted(s for _, s in rows)
    return {"trials": len(rows), **{f"{k}_rate": round(sum(r[k] for r, _ in rows) / len(rows), 3) for k in keys},
            "seconds_median": round(statistics.median(seconds), 3),
            "seconds_p95": round(seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))], 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--backend", default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    with connect(backend=args.backend) as conn:
        report = {"backend": conn.backend, "model": conn.model,
                  **{name: summarise([trial(conn, i) for i in range(args.trials)])
                     for name, trial in (("schema", schema_trial), ("tool_call", tool_trial), ("loop", loop_trial))}}
    print(json.dumps(report, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
