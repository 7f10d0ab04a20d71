#!/usr/bin/env python3
"""Seed 000's ``foundry_basic.py``, runnable today: one question to a local model with the OpenAI SDK.

    FOUNDRY_LOCAL_ENDPOINT=http://127.0.0.1:5273/v1 WORKSHOP_MODEL=qwen2.5-0.5b python foundry_basic.py
    python foundry_basic.py "What is Windows AI?"    # no endpoint: Foundry Local SDK v2 serves the model

Needs ``pip install openai requests`` (and ``foundry-local-sdk`` without an endpoint). Windows PowerShell:
``$env:FOUNDRY_LOCAL_ENDPOINT = "http://127.0.0.1:5273/v1"``. ``local_model.py`` explains the settings.
"""

from __future__ import annotations

import sys

import openai
from local_model import local_model

question = sys.argv[1] if len(sys.argv) > 1 else "What is Windows AI?"
base_url, api_key, model_id = local_model()

client = openai.OpenAI(base_url=base_url, api_key=api_key)  # the seed's manager.endpoint / manager.api_key
response = client.chat.completions.create(
    model=model_id,  # the seed's manager.get_model_info(alias).id
    messages=[{"role": "user", "content": question}],
    max_tokens=200,  # Foundry Local otherwise generates up to the model's limit
    temperature=0,  # the most likely answer every time: repeatable output for a tutorial
)
print(response.choices[0].message.content)
