"""One call shape for local models and gpt-5.x deployments (which refuse max_tokens and temperature != 1)."""

from foundry_workshop.reasoning import chat_params, is_reasoning_model


def test_reasoning_models_get_max_completion_tokens_and_no_temperature():
    params = {"max_tokens": 64, "temperature": 0, "stream": True}
    assert chat_params("gpt-5.4-mini", params) == {"max_completion_tokens": 64, "stream": True}
    assert chat_params("gpt-5.4-mini", {"temperature": 1}) == {"temperature": 1}
    assert params == {"max_tokens": 64, "temperature": 0, "stream": True}  # the caller's dict is not touched


def test_other_models_get_their_options_unchanged():
    params = {"max_tokens": 64, "temperature": 0}
    assert chat_params("qwen2.5-0.5b-instruct-generic-cpu:4", params) == params
    assert chat_params("gpt-4o-mini", params) == params
    assert not is_reasoning_model(None) and is_reasoning_model("O3-mini")
