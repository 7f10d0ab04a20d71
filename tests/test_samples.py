"""The standalone seed scripts (samples/foundry_*.py) run as a learner runs them: a separate Python process
that imports nothing from the course, pointed at a server by FOUNDRY_LOCAL_ENDPOINT and WORKSHOP_MODEL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openai
import pytest

from foundry_workshop import Connection

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SCRIPTS = ["foundry_basic.py", "foundry_streaming.py", "foundry_requests.py"]


def run(script: str, endpoint: str, model: str | None = None, question: str = "What is a token?"):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKSHOP_", "FOUNDRY_", "OPENAI_"))}
    env["FOUNDRY_LOCAL_ENDPOINT"] = endpoint
    if model:
        env["WORKSHOP_MODEL"] = model
    return subprocess.run([sys.executable, str(SAMPLES / script), question], env=env, capture_output=True,
                          text=True, timeout=300, cwd=SAMPLES.parent)


def test_the_samples_import_nothing_from_the_course() -> None:
    for path in SAMPLES.glob("foundry_*.py"):
        assert "foundry_workshop" not in path.read_text(), path.name
    assert "foundry_workshop" not in (SAMPLES / "local_model.py").read_text()


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_sample_prints_the_mock_reply_for_an_alias(script: str, mock_server) -> None:
    model = "phi-3.5-mini"  # an alias: the script resolves it to the id the server lists
    client = openai.OpenAI(base_url=mock_server.url, api_key="unused")
    full_id = next(m.id for m in client.models.list() if m.id.startswith(model + "-"))
    expected = client.chat.completions.create(
        model=full_id, messages=[{"role": "user", "content": "What is a token?"}], max_tokens=200, temperature=0
    ).choices[0].message.content
    result = run(script, mock_server.url, model)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected.strip()
    sent = mock_server.requests[-1]["json"]
    assert sent["model"] == full_id and sent["temperature"] == 0  # repeatable: the bundled test expects "Paris"


def test_an_alias_picks_its_own_variants_not_a_longer_models(monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(SAMPLES))
    from local_model import pick_model

    served = ["Phi-4-mini-instruct-generic-cpu:5", "Phi-4-generic-cpu:2", "qwen2.5-0.5b-instruct-generic-cpu:4"]
    assert pick_model("phi-4", served) == "Phi-4-generic-cpu:2"
    assert pick_model("phi-4-mini", served) == "Phi-4-mini-instruct-generic-cpu:5"
    assert pick_model("Qwen2.5-0.5B", served) == "qwen2.5-0.5b-instruct-generic-cpu:4"
    assert pick_model("Phi-4-generic-cpu:2", served) == "Phi-4-generic-cpu:2"


def test_an_unknown_model_lists_what_is_served(mock_server) -> None:
    result = run("foundry_basic.py", mock_server.url, "no-such-model")
    assert result.returncode == 1
    assert "'no-such-model' is not served here. Served:" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.bundled
@pytest.mark.parametrize("script", SCRIPTS)
def test_each_sample_answers_on_the_bundled_model(script: str, bundled: Connection) -> None:
    result = run(script, bundled.endpoint, question="What is the capital of France? Answer in one sentence.")
    assert result.returncode == 0, result.stderr
    assert "Paris" in result.stdout
