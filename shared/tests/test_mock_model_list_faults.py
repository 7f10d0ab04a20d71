"""Faults on `GET /v1/models` (route="models"): what connect() and health() meet when a server is loading or
failing. Chat rules (the default route) never touch the list, so existing tests keep their meaning."""

from __future__ import annotations

import pytest
import requests

from foundry_workshop.mock.faults import FaultRule, parse_cli_fault


def test_chat_rules_leave_the_list_alone(mock):
    mock.add_fault("500")
    assert requests.get(f"{mock.url}/models", timeout=5).status_code == 200
    assert len(mock.faults) == 1  # still queued for the next chat request


@pytest.mark.parametrize(("fault", "status"), [("503", 503), ("429", 429), ("500", 500)])
def test_error_statuses_on_the_list(mock, fault, status):
    mock.add_fault(fault, route="models", retry_after=3)
    answer = requests.get(f"{mock.url}/models", timeout=5)
    assert answer.status_code == status
    assert answer.json()["error"]["message"]
    assert requests.get(f"{mock.url}/models", timeout=5).status_code == 200  # count=1: consumed


def test_malformed_stall_and_disconnect_on_the_list(mock):
    mock.add_fault("malformed", route="models")
    with pytest.raises(ValueError):
        requests.get(f"{mock.url}/models", timeout=5).json()
    mock.add_fault("stall", route="models", stall_seconds=2)
    with pytest.raises(requests.Timeout):
        requests.get(f"{mock.url}/models", timeout=0.2)
    mock.add_fault("disconnect", route="models")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{mock.url}/models", timeout=5)


def test_route_any_hits_both(mock):
    mock.add_fault("503", count=2, route="any")
    assert requests.get(f"{mock.url}/models", timeout=5).status_code == 503
    chat = requests.post(f"{mock.url}/chat/completions", timeout=5, json={
        "model": "qwen2.5-0.5b", "messages": [{"role": "user", "content": "hi"}]})
    assert chat.status_code == 503


def test_route_over_control_api_and_cli(mock):
    answer = requests.post(f"{mock.root_url}/_mock/faults", json={"fault": "503", "route": "models"}, timeout=5)
    assert answer.status_code == 201 and answer.json()["route"] == "models"
    bad = requests.post(f"{mock.root_url}/_mock/faults", json={"fault": "503", "route": "nowhere"}, timeout=5)
    assert bad.status_code == 400
    assert parse_cli_fault("503:2@models") == FaultRule.create("503", count=2, route="models")
    assert parse_cli_fault("429").route == "chat"
