"""Whole runs against the mock: failing models are recorded and skipped, the sweep, reports, the CLI."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from foundry_workshop import connect
from foundry_workshop.bench import Prompt, available_models, run_benchmark, write_reports
from foundry_workshop.bench.config import BENCH_ENV
from foundry_workshop.mock import Latency, MockServer

QWEN, PHI = "qwen2.5-0.5b-instruct-generic-cpu:4", "phi-3.5-mini-instruct-generic-cpu:1"
PROMPTS = [Prompt("rag", "Explain retrieval augmented generation.", (("retriev",), ("cloud",))),
           Prompt("privacy", "List 3 privacy benefits of local inference.", (("privacy",),))]
QUICK = {"prompts": PROMPTS, "rounds": 2, "warmup": 1, "max_tokens": 8, "concurrency": (), "progress": False}


def chat_requests(mock: MockServer, model: str) -> list[dict]:
    return [r for r in mock.requests if r["path"] == "/v1/chat/completions" and r["json"]["model"] == model]


def test_one_failing_model_is_recorded_and_the_rest_are_reported(mock, tmp_path):
    mock.add_fault("500", count=None, model=PHI)
    result = run_benchmark(backend="mock", endpoint=mock.url,
                           models=["smollm2-135m-instruct", "phi-3.5-mini", "no-such-model", "qwen2.5-0.5b"], **QUICK)
    status = {run.alias: run.status for run in result.models}
    assert status == {"smollm2-135m-instruct": "ok", "phi-3.5-mini": "failed", "no-such-model": "failed",
                      "qwen2.5-0.5b": "ok"}
    errors = {run.alias: run.error for run in result.models}
    assert "2 failed requests in a row" in errors["phi-3.5-mini"] and "HTTP 500" in errors["phi-3.5-mini"]
    assert "'no-such-model' is not available" in errors["no-such-model"] and QWEN in errors["no-such-model"]
    assert len(chat_requests(mock, PHI)) == 2, "a failing model is abandoned after max_consecutive_errors"
    assert len(chat_requests(mock, QWEN)) == 6, "the model after the failures still ran in full"

    ranked = result.ranked()
    assert [r["model"] for r in ranked][-2:] == ["phi-3.5-mini", "no-such-model"]
    assert [r["rank"] for r in ranked] == [1, 2, None, None]
    written = write_reports(result, tmp_path, plots=False)
    report = written["markdown"].read_text()
    assert "Failed and skipped: `phi-3.5-mini`" in report and "Failed and skipped: `no-such-model`" in report
    data = json.loads(written["json"].read_text())
    assert data["models"]["phi-3.5-mini"]["status"] == "failed"
    assert sum(not s["ok"] for s in data["samples"]) == 2


def test_a_model_that_times_out_is_skipped(mock):
    mock.add_fault("stall", count=None, model=PHI, after_tokens=1, stall_seconds=10)
    result = run_benchmark(backend="mock", endpoint=mock.url, models=["phi-3.5-mini", "qwen2.5-0.5b"],
                           timeout=0.3, **QUICK)
    phi, qwen = result.models
    assert phi.status == "failed" and "timeout: no complete answer within 0.3 s" in phi.error
    assert qwen.status == "ok" and len([s for s in result.samples if s.model == "qwen2.5-0.5b"]) == 6


def test_one_failed_request_makes_a_partial_run_with_honest_statistics(mock):
    mock.add_fault("429", count=1, model=QWEN)
    result = run_benchmark(backend="mock", endpoint=mock.url, models=["qwen2.5-0.5b"], **{**QUICK, "warmup": 0})
    summary = result.model_summary()["qwen2.5-0.5b"]
    assert summary["status"] == "partial" and summary["failed_requests"] == 1
    assert summary["measured"] == 3 and summary["stats"]["latency_s"]["n"] == 3


def test_warm_up_requests_are_sent_but_not_counted(mock):
    result = run_benchmark(backend="mock", endpoint=mock.url, models=["qwen2.5-0.5b"], **{**QUICK, "warmup": 2})
    assert len(chat_requests(mock, QWEN)) == (2 + 2) * len(PROMPTS)
    assert [s.phase for s in result.samples].count("warmup") == 4
    assert result.model_summary()["qwen2.5-0.5b"]["stats"]["ttft_s"]["n"] == 4


def test_concurrency_sweep_adds_up_tokens_over_wall_time(mock):
    first, gap, tokens = 0.1, 0.01, 8  # each request takes 0.17 s; the mock serves requests in parallel
    mock.set_latency(Latency(first_token=first, inter_token=gap))
    result = run_benchmark(backend="mock", endpoint=mock.url, models=["qwen2.5-0.5b"],
                           **{**QUICK, "rounds": 1, "warmup": 0, "concurrency": (1, 3)}, concurrency_requests=2)
    one, three = result.concurrency
    assert (one.level, one.requests, three.level, three.requests) == (1, 2, 3, 6)
    parallel = [s for s in result.samples if s.phase == "concurrency" and s.concurrency == 3]
    assert len(parallel) == 6 and all(s.ok for s in parallel)
    assert three.aggregate_tps == pytest.approx(6 * tokens / three.wall_s)
    per_request = first + (tokens - 1) * gap
    assert per_request <= three.latency_p95_s
    # Three workers each send two requests back to back: the wall time of about two requests, three times the
    # tokens of level 1 (ideal ratio 3). Had the requests run one after another, the ratio would be 1; the bound
    # sits between the two with room for a busy CI machine.
    assert three.aggregate_tps / one.aggregate_tps > 1.8
    assert len({r["json"]["messages"][0]["content"] for r in chat_requests(mock, QWEN)}) == 2


def test_reports_hold_every_sample_and_readable_figures(mock, tmp_path):
    mock.set_latency(Latency(first_token=0.01, inter_token=0.002))
    result = run_benchmark(backend="mock", endpoint=mock.url, models=["smollm2-135m-instruct", "qwen2.5-0.5b"],
                           **{**QUICK, "concurrency": (1, 2)}, concurrency_requests=1)
    written = write_reports(result, tmp_path / "report")
    data = json.loads(written["json"].read_text())
    assert len(data["samples"]) == len(result.samples) == 2 * ((1 + 2) * 2 + 3)
    assert data["config"]["api_key"] in ("set", "not set") and data["config"]["rounds"] == 2
    with written["samples_csv"].open() as f:
        assert len(list(csv.DictReader(f))) == len(result.samples)
    with written["summary_csv"].open() as f:
        rows = list(csv.DictReader(f))
    assert [r["model"] for r in rows] == [r["model"] for r in result.ranked()] and rows[0]["rank"] == "1"
    report = written["markdown"].read_text()
    for heading in ("## Ranking", "## Highlights", "## Model selection", "## Per prompt", "## Concurrency"):
        assert heading in report
    assert "| License | terms of use | commercial compliance | Apache-2.0 | Apache-2.0 |" in report
    import matplotlib.image  # here, not at the top: every xdist worker imports this module to collect it (0.5 s)

    for name in ("latency_distribution", "tokens_per_second", "ttft_vs_total", "concurrency"):
        path = written[f"figure_{name}"]
        assert f"](figures/{name}.png)" in report
        height, width, _ = matplotlib.image.imread(path).shape
        assert width >= 600 and height >= 250
    template = json.loads(written["manual_template"].read_text())
    assert set(template) == {"smollm2-135m-instruct", "qwen2.5-0.5b"}
    entry = template["qwen2.5-0.5b"]["rag"]
    assert entry["score"] is None and "Mock reply" in entry["answer"]


def test_manual_scores_replace_the_automatic_ones(mock, tmp_path):
    scores = tmp_path / "scores.json"
    scores.write_text(json.dumps({"qwen2.5-0.5b": {"rag": 5, "privacy": 4}}))
    result = run_benchmark(backend="mock", endpoint=mock.url, models=["qwen2.5-0.5b", "smollm2-135m-instruct"],
                           manual_scores=scores, rank_by="quality", **{**QUICK, "max_tokens": 40})
    summary = result.model_summary()
    assert summary["qwen2.5-0.5b"]["quality"] == pytest.approx(
        {"auto_coverage": summary["qwen2.5-0.5b"]["quality"]["auto_coverage"], "manual": 4.5, "score": 4.5,
         "source": "manual"})
    # The mock echoes the prompt, so the rag answer covers "retriev" (1 of 2 aspects) and privacy covers 1 of 1.
    assert summary["smollm2-135m-instruct"]["quality"]["auto_coverage"] == pytest.approx(0.75)
    assert summary["smollm2-135m-instruct"]["quality"]["score"] == pytest.approx(4.0)
    assert [r["model"] for r in result.ranked()] == ["qwen2.5-0.5b", "smollm2-135m-instruct"]


def test_models_default_to_what_the_server_lists_under_their_aliases(mock):
    with connect(backend="mock", endpoint=mock.url, model="qwen2.5-0.5b") as conn:
        assert available_models(conn, ["qwen2.5-0.5b", "phi-3.5-mini"]) == [
            "smollm2-135m-instruct-generic-cpu:1", "qwen2.5-0.5b", "phi-3.5-mini"]
        result = run_benchmark(connection=conn, **{**QUICK, "rounds": 1, "warmup": 0})
        assert not conn.closed, "a connection passed in is the caller's to close"
    assert [run.alias for run in result.models] == ["smollm2-135m-instruct", "qwen2.5-0.5b", "phi-3.5-mini"]
    assert {run.model_id for run in result.models} == {"smollm2-135m-instruct-generic-cpu:1", QWEN, PHI}


class _NoSeedServer(BaseHTTPRequestHandler):
    """An OpenAI-compatible server that, like some do, rejects the ``seed`` parameter with a 400."""

    bodies: ClassVar[list[dict]] = []

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._send(200, json.dumps({"object": "list", "data": [{"id": "tiny", "object": "model"}]}).encode())

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.bodies.append(body)
        if "seed" in body:
            error = {"error": {"message": "Unrecognized request argument supplied: seed", "type": "invalid_request"}}
            return self._send(400, json.dumps(error).encode())
        base = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "tiny"}
        chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}]
        chunks += [{**base, "choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]}
                   for w in ("Local", " is", " private", ".")]
        chunks += [{**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                   {**base, "choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14}}]
        stream = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
        self._send(200, stream.encode(), "text/event-stream")


def test_a_server_that_rejects_seed_is_benchmarked_without_it():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _NoSeedServer)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    _NoSeedServer.bodies = []
    try:
        result = run_benchmark(backend="endpoint", endpoint=f"http://127.0.0.1:{httpd.server_port}/v1",
                               models=["tiny"], **{**QUICK, "rounds": 1, "warmup": 0})
    finally:
        httpd.shutdown()
        httpd.server_close()
    run = result.models[0]
    assert run.status == "ok" and run.seed_sent is False
    assert ["seed" in b for b in _NoSeedServer.bodies] == [True, False, False]
    samples = [s for s in result.samples if s.phase == "measure"]
    assert [s.completion_tokens for s in samples] == [5, 5] and samples[0].text == "Local is private."


def _cli(args: list[str], mock: MockServer, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in BENCH_ENV}
    clean.update({"WORKSHOP_BACKEND": "mock", "FOUNDRY_LOCAL_ENDPOINT": mock.url, **env})
    return subprocess.run([sys.executable, "-m", "foundry_workshop.bench", *args], capture_output=True, text=True,
                          env=clean, timeout=120)


def test_cli_reads_bench_variables_and_writes_every_report(mock, tmp_path):
    out = tmp_path / "bench"
    result = _cli(["--out", str(out), "--max-tokens", "8", "--no-progress"], mock,
                  BENCH_MODELS="qwen2.5-0.5b,nope", BENCH_ROUNDS="1", BENCH_WARMUP="0", BENCH_CONCURRENCY="1,2")
    assert result.returncode == 0, result.stderr
    assert "| 1 | `qwen2.5-0.5b` | ok |" in result.stdout and "Failed and skipped: `nope`" in result.stdout
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert files == {"benchmark.json", "benchmark_report.md", "samples.csv", "summary.csv",
                     "manual-scores-template.json", "figures/latency_distribution.png",
                     "figures/tokens_per_second.png", "figures/ttft_vs_total.png", "figures/concurrency.png"}
    sent = chat_requests(mock, QWEN)
    # 4 default prompts x 1 round, then the sweep: 1 + 2 workers x 2 requests each.
    assert len(sent) == 4 + (1 + 2) * 2 and {r["json"]["max_tokens"] for r in sent} == {8}


def _cli_in_process(args: list[str], url: str, monkeypatch, capsys) -> tuple[int, str, str]:
    """The CLI's ``main`` in this process: the test above already runs ``python -m foundry_workshop.bench``."""
    from foundry_workshop.bench.__main__ import main

    for var in BENCH_ENV:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("WORKSHOP_BACKEND", "mock")
    monkeypatch.setenv("FOUNDRY_LOCAL_ENDPOINT", url)
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_fails_when_no_model_could_be_measured(mock, tmp_path, monkeypatch, capsys):
    status, out, _ = _cli_in_process(["--models", "nope", "--out", str(tmp_path), "--no-plots", "--no-progress"],
                                     mock.url, monkeypatch, capsys)
    assert status == 1
    assert "Failed and skipped: `nope`" in out


def test_cli_says_which_server_is_down(tmp_path, monkeypatch, capsys):
    dead = MockServer().start()
    url = dead.url
    dead.stop()
    status, _, err = _cli_in_process(["--out", str(tmp_path), "--no-progress"], url, monkeypatch, capsys)
    assert status == 1 and f"error: No OpenAI-compatible server answered at {url}" in err


def test_the_standalone_sample_script_runs_on_the_package(mock, tmp_path):
    script = Path(__file__).parents[2] / "samples" / "benchmark_models.py"
    clean = {k: v for k, v in os.environ.items() if k not in BENCH_ENV}
    clean.update({"WORKSHOP_BACKEND": "mock", "FOUNDRY_LOCAL_ENDPOINT": mock.url, "BENCH_MODELS": "phi-3.5-mini",
                  "BENCH_ROUNDS": "1", "BENCH_WARMUP": "0", "BENCH_CONCURRENCY": "", "BENCH_MAX_TOKENS": "8"})
    result = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, env=clean,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout[: result.stdout.index("\nHighlights:")])
    assert [(row["model"], row["status"]) for row in summary] == [("phi-3.5-mini", "ok")]
    assert (tmp_path / "benchmark_report.md").is_file() and len(chat_requests(mock, PHI)) == 4
