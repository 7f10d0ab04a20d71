"""Statistics, outlier flags, the quality rubric, and run settings (files, BENCH_* variables)."""

from __future__ import annotations

import json
import statistics

import pytest

from foundry_workshop import ConfigurationError
from foundry_workshop.bench import Sample, bench_config, describe, load_manual_scores, load_prompts, score_answer
from foundry_workshop.bench.config import BENCH_ENV
from foundry_workshop.bench.stats import flag_outliers, per_model


@pytest.fixture
def bench_env(clean_env):
    """No BENCH_* variables either (and, from clean_env, no workshop variables and no .env)."""
    for name in BENCH_ENV:
        clean_env.delenv(name, raising=False)
    return clean_env


def sample(model="m", ttft=0.1, decode=50.0, phase="measure", ok=True, prompt="p1") -> Sample:
    return Sample(model=model, model_id=model, prompt_id=prompt, phase=phase, round=0, ok=ok, ttft_s=ttft,
                  latency_s=1.0, decode_tps=decode)


# -- statistics --------------------------------------------------------------------------------------------
def test_describe_matches_the_textbook_numbers():
    values = list(range(1, 101))
    stats = describe([*values, None])  # missing measurements are skipped, not zeros
    assert stats["n"] == 100 and stats["mean"] == 50.5
    assert stats["p50"] == pytest.approx(50.5) and stats["p95"] == pytest.approx(95.05)
    assert stats["p99"] == pytest.approx(99.01)
    assert (stats["min"], stats["max"]) == (1, 100)
    assert stats["stdev"] == pytest.approx(statistics.stdev(values))


def test_describe_of_nothing_is_empty_not_zero():
    assert describe([None, None]) == {"n": 0, "mean": None, "p50": None, "p95": None, "p99": None,
                                      "min": None, "max": None, "stdev": None}


def test_warm_up_and_failed_samples_stay_out_of_the_statistics():
    samples = [sample(ttft=5.0, phase="warmup"), sample(ttft=9.0, ok=False), sample(ttft=0.2), sample(ttft=0.4)]
    stats = per_model(samples)["m"]["ttft_s"]
    assert stats["n"] == 2 and stats["mean"] == pytest.approx(0.3)


def test_a_slow_first_token_is_flagged_and_kept():
    samples = [sample(ttft=t) for t in (0.10, 0.11, 0.10, 0.12, 0.11, 0.10, 0.95)]
    assert flag_outliers(samples) == 1
    assert [s.outlier for s in samples] == [False] * 6 + [True]
    assert samples[-1].outlier_reason.startswith("ttft_s 0.95 above the fence")
    assert per_model(samples)["m"]["ttft_s"]["max"] == 0.95


def test_a_slow_decode_rate_is_flagged_per_model():
    samples = [sample(decode=d) for d in (50, 51, 49, 50, 12)] + [sample(model="other", decode=d) for d in (5, 6, 5, 6)]
    assert flag_outliers(samples) == 1
    assert samples[4].outlier and "decode_tps 12 below" in samples[4].outlier_reason


def test_too_few_samples_flag_nothing():
    samples = [sample(ttft=t) for t in (0.1, 0.1, 5.0)]
    assert flag_outliers(samples) == 0


# -- quality -----------------------------------------------------------------------------------------------
def test_rubric_counts_aspects_matched_at_word_starts():
    aspects = (("retriev", "search"), ("ram", "memory"), ("cloud",))
    coverage, matched = score_answer("Retrieval finds documents; the program runs.", aspects)
    assert matched == [0] and coverage == pytest.approx(1 / 3), "'ram' must not match inside 'program'"
    assert score_answer("It searches, uses RAM and no cloud.", aspects) == (1.0, [0, 1, 2])
    assert score_answer("anything", ()) == (None, [])


def test_default_prompts_are_the_seeds_with_rubrics():
    prompts = load_prompts()
    assert [p.text for p in prompts][:2] == [
        "Explain the principle of retrieval augmented generation in 2 sentences.",
        "List 3 privacy benefits of local inference.",
    ]
    assert all(p.expect for p in prompts) and len({p.id for p in prompts}) == len(prompts)


def test_manual_scores_file(tmp_path):
    path = tmp_path / "scores.json"
    path.write_text(json.dumps({"m": {"rag": 4, "privacy": {"score": 2, "answer": "..."}, "x": {"score": None}}}))
    assert load_manual_scores(path) == {"m": {"rag": 4.0, "privacy": 2.0}}
    path.write_text(json.dumps({"m": {"rag": 7}}))
    with pytest.raises(ConfigurationError, match="must be 1-5, got 7"):
        load_manual_scores(path)


# -- settings ----------------------------------------------------------------------------------------------
def test_seed_variables_set_the_run(bench_env):
    bench_env.setenv("BENCH_MODELS", "qwen2.5-0.5b, phi-3.5-mini")
    bench_env.setenv("BENCH_ROUNDS", "5")
    bench_env.setenv("BENCH_STREAM", "0")
    bench_env.setenv("BENCH_CONCURRENCY", "")
    config = bench_config()
    assert config.models == ("qwen2.5-0.5b", "phi-3.5-mini")
    assert (config.rounds, config.stream, config.concurrency) == (5, False, ())


def test_explicit_values_beat_the_environment_and_dotenv_is_read(bench_env, tmp_path):
    (tmp_path / ".env").write_text("BENCH_ROUNDS=7\nBENCH_MAX_TOKENS=33\n")
    bench_env.setenv("BENCH_ROUNDS", "5")
    config = bench_config(rounds=2)
    assert (config.rounds, config.max_tokens) == (2, 33)


def test_defaults(bench_env):
    config = bench_config()
    assert config.models is None and config.rounds == 3 and config.warmup == 1 and config.stream
    assert config.temperature == 0 and config.seed == 42 and config.concurrency == (1, 2, 4)
    assert config.info("phi-3.5-mini").license == "MIT"


@pytest.mark.parametrize(("var", "value", "message"), [
    ("BENCH_ROUNDS", "three", "BENCH_ROUNDS must be a whole number"),
    ("BENCH_STREAM", "maybe", "BENCH_STREAM must be 1 or 0"),
    ("BENCH_ROUNDS", "0", "rounds must be at least 1"),
    ("BENCH_PROMPTS", "missing.json", "does not exist"),
])
def test_bad_settings_say_what_is_wrong(bench_env, var, value, message):
    bench_env.setenv(var, value)
    with pytest.raises(ConfigurationError, match=message):
        bench_config()


def test_prompt_and_models_files(bench_env, tmp_path):
    (tmp_path / "prompts.json").write_text(json.dumps(["Summarize RAG.", "List 3 privacy benefits."]))
    (tmp_path / "models.json").write_text(json.dumps({"qwen2.5-0.5b": {"capabilities": ["chat"], "size_mb": 500}}))
    config = bench_config(prompts="prompts.json", models_file="models.json")
    assert [(p.id, p.text, p.expect) for p in config.prompts] == [("p1", "Summarize RAG.", ()),
                                                                   ("p2", "List 3 privacy benefits.", ())]
    assert config.models == ("qwen2.5-0.5b",)
    assert config.info("qwen2.5-0.5b").size_mb == 500 and config.info("phi-3.5-mini").license == "MIT"


def test_broken_prompt_files_are_rejected_clearly(bench_env, tmp_path):
    (tmp_path / "dup.json").write_text(json.dumps([{"id": "a", "prompt": "x"}, {"id": "a", "prompt": "y"}]))
    with pytest.raises(ConfigurationError, match="repeated: a"):
        bench_config(prompts="dup.json")
    (tmp_path / "bad.json").write_text("[{")
    with pytest.raises(ConfigurationError, match="not valid JSON"):
        bench_config(prompts="bad.json")
    with pytest.raises(ConfigurationError, match="Unknown benchmark setting"):
        bench_config(roundz=3)
