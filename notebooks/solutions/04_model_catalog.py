"""Reference solutions for lesson 04 (the model catalog). `make run` and the tests use them in place of the stubs."""

from __future__ import annotations

import requests

DEVICE_ORDER = {"NPU": 0, "GPU": 1, "CPU": 2}  # Foundry Local's preference when it picks a variant for you


def validate(base_url: str, model_id: str, headers: dict | None = None) -> dict:
    """The seed's checklist: the server lists the model, and a short chat with it returns text."""
    listed = requests.get(f"{base_url}/models", headers=headers, timeout=10).json()["data"]
    chat = requests.post(f"{base_url}/chat/completions", headers=headers, timeout=60, json={
        "model": model_id, "messages": [{"role": "user", "content": "Say OK."}], "max_tokens": 10})
    text = chat.json()["choices"][0]["message"]["content"] if chat.ok else ""
    return {"listed": model_id in [m["id"] for m in listed], "answers": bool(text and text.strip())}


def pick_variant(catalog: list[dict], alias: str, cached: list[str]) -> str | None:
    """The variant id Foundry Local runs for `alias`: best device first, then the newest version; cached wins."""
    variants = [v for v in catalog if v["alias"].lower() == alias.lower()]
    variants.sort(key=lambda v: (DEVICE_ORDER.get(v["runtime"]["deviceType"].upper(), 9), -int(v["version"])))
    ready = [v for v in variants if v["name"] in cached]
    return (ready or variants or [{"name": None}])[0]["name"]
