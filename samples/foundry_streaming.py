#!/usr/bin/env python3
"""Seed 000's ``foundry_streaming.py``, runnable today: print a local model's reply as it is generated.

    FOUNDRY_LOCAL_ENDPOINT=http://127.0.0.1:5273/v1 python foundry_streaming.py "What is Microsoft Foundry Local?"

Fixed from the seed: a stream may end with a usage chunk whose ``choices`` is empty, where the seed's
``chunk.choices[0]`` raised IndexError. ``local_model.py`` explains the settings.
"""

from __future__ import annotations

import sys

import openai
from local_model import local_model

question = sys.argv[1] if len(sys.argv) > 1 else "What is Microsoft Foundry Local?"
base_url, api_key, model_id = local_model()

client = openai.OpenAI(base_url=base_url, api_key=api_key)
stream = client.chat.completions.create(
    model=model_id,
    messages=[{"role": "user", "content": question}],
    max_tokens=200,
    temperature=0,  # repeatable output
    stream=True,
)
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:  # role-only and usage chunks carry no text
        print(chunk.choices[0].delta.content, end="", flush=True)
print()
