#!/usr/bin/env python3
"""Seed 000's ``foundry_requests.py``, runnable today: the same question as plain HTTP with ``requests``.

    FOUNDRY_LOCAL_ENDPOINT=http://127.0.0.1:5273/v1 python foundry_requests.py "What is an HTTP request?"

Errors are shown with the server's own message (the JSON error body), not only the status code.
``local_model.py`` explains the settings.
"""

from __future__ import annotations

import sys

import requests
from local_model import local_model

question = sys.argv[1] if len(sys.argv) > 1 else "What is an HTTP request?"
base_url, api_key, model_id = local_model()

url = base_url + "/chat/completions"  # the seed's manager.endpoint + "/chat/completions"
payload = {"model": model_id, "messages": [{"role": "user", "content": question}], "max_tokens": 200,
           "temperature": 0}  # temperature 0: repeatable output
headers = {"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"}

response = requests.post(url, headers=headers, json=payload, timeout=300)  # json= serializes the body
if not response.ok:
    sys.exit(f"HTTP {response.status_code} from {url}: {response.text[:300]}")
print(response.json()["choices"][0]["message"]["content"])
