"""A short benchmark of the real bundled model (SmolLM2-135M on llama.cpp): every report file, a footprint,
and the client-side decode rate against llama.cpp's own timing of the same requests."""

from __future__ import annotations

import pytest

from foundry_workshop.bench import load_prompts, run_benchmark, write_reports
from foundry_workshop.bundled_model import bundled_model_path as model_path

pytestmark = pytest.mark.bundled


def agrees_with_the_server(sample) -> bool:
    """llama.cpp times its own decoding and sends it along (timings.predicted_per_second): the harness, timing
    chunk arrivals on the client, must agree with the server's clock."""
    return sample.decode_tps == pytest.approx(sample.server_decode_tps, rel=0.05)


def test_a_short_run_on_the_bundled_model_writes_every_report(tmp_path, clean_env):
    # Up to three runs: on a busy machine the client can read one chunk late (a CI run read 27.5 tokens/s where
    # the server timed 24.5), while a harness that counts wrongly (16 tokens over 15 gaps is 6.7 % off) nearly
    # always misses all three; test_bench_measure holds the counting itself to 3 % against the mock.
    disagreements: list[list[tuple[float, float]]] = []
    for _attempt in range(3):
        result = run_benchmark(backend="bundled", prompts=load_prompts()[:1], warmup=1, rounds=2, max_tokens=16,
                               concurrency=(1, 2), concurrency_requests=1, progress=False)
        (run,) = result.models
        assert run.status == "ok", run.error
        measured = [s for s in result.samples if s.phase == "measure"]
        assert len(measured) == 2 and len(result.samples) == 1 + 2 + 3
        for s in measured:
            assert s.usage_source == "stream" and 2 <= s.completion_tokens <= 16 and s.text.strip()
            assert 0 < s.ttft_s < s.latency_s
        disagreements.append([(s.decode_tps, s.server_decode_tps) for s in measured if not agrees_with_the_server(s)])
        if not disagreements[-1]:
            break
    assert disagreements[-1] == [], f"(client, server) decode rates per try: {disagreements}"

    footprint = run.footprint
    assert footprint.model_bytes == model_path().stat().st_size and footprint.model_bytes_source == "model file"
    assert footprint.rss_bytes > footprint.model_bytes, "the server maps the whole model into memory"
    assert footprint.peak_rss_bytes >= footprint.rss_bytes and footprint.process.startswith("llama.cpp server")
    assert footprint.load_seconds > 0

    written = write_reports(result, tmp_path)
    assert all(path.stat().st_size > 0 for path in written.values())
    assert "| 1 | `smollm2-135m-instruct` | ok | 2 |" in written["markdown"].read_text()
