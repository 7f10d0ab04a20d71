"""Lesson 08's page in a real, offline browser: Debian's Chromium (headless, no GPU) driven by Playwright.

One page server, one browser and one page load for the whole module (plus a second page with a stand-in GPU);
every request that leaves 127.0.0.1 is refused and recorded. What is checked is what a learner relies on: the page
loads from the course's server alone, says which backend ran and why, classifies exactly as Python's
onnxruntime does on the same model, picks WebGPU when an adapter exists, tokenizes exactly as transformers
does, and SmolLM2 running in the tab knows the capital of France.

Needs ``make browser-demo`` (ONNX Runtime Web from npm) and ``make browser-model`` (the exports); ``make
test`` runs both (cached). Without them the tests are skipped with the reason here, and fail in CI.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from foundry_workshop.browser import DemoFolders, DemoServer, block_non_loopback, chromium_path, launch_chromium

REPO = Path(__file__).resolve().parents[1]
FOLDERS = DemoFolders(REPO / "samples" / "webgpu_demo", REPO / "build" / "browser" / "vendor",
                      REPO / "build" / "browser" / "models")
REPORT = REPO / "build" / "browser" / "last_test_run.json"
#: A stand-in for a GPU: navigator.gpu hands out an adapter that cannot create a device (no GPU here).
STAND_IN_ADAPTER = """
Object.defineProperty(navigator, 'gpu', { configurable: true, value: {
  requestAdapter: async () => ({
    info: { vendor: 'stand-in', architecture: 'test' }, features: new Set(), limits: {},
    requestDevice: async () => { throw new Error('the stand-in adapter has no device'); },
  }),
  getPreferredCanvasFormat: () => 'bgra8unorm',
}});
"""


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` on a developer machine; in CI (``CI`` set) a missing prerequisite fails."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"The browser demo must be tested in CI, but {reason}.")
        pytest.skip(reason)


@pytest.fixture(scope="module", autouse=True)
def _prerequisites() -> None:
    require(chromium_path().exists(), f"there is no Chromium at {chromium_path()} (`make browser` installs it)")
    require((FOLDERS.vendor / "onnxruntime-web" / "ort.webgpu.min.mjs").is_file(),
            "ONNX Runtime Web is not vendored (run `make browser-demo`; it needs Node.js/npm)")
    require((FOLDERS.models / "digits" / "model.onnx").is_file(), "the models are not built (`make browser-model`)")


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(FOLDERS) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def refused() -> list[str]:
    """URLs the page tried to reach beyond 127.0.0.1 (refused), over the whole module."""
    return []


def new_context(browser, refused: list[str]):
    context = browser.new_context(viewport={"width": 1000, "height": 1000})
    block_non_loopback(context, refused)
    return context


def open_page(context, server: DemoServer):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url)
    page.wait_for_selector("body[data-ready=true]", timeout=120_000)
    assert errors == [], errors
    return page


@pytest.fixture(scope="module")
def page(browser, server: DemoServer, refused: list[str]):
    """One page load for the module (the wasm runtime starts once); tests use what it exposes."""
    context = new_context(browser, refused)
    yield open_page(context, server)
    context.close()


def reference_solution():
    """notebooks/solutions/08_browser_ai.py, the reference of the lesson's exercises."""
    path = REPO / "notebooks" / "solutions" / "08_browser_ai.py"
    spec = importlib.util.spec_from_file_location("solutions_08", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record(**numbers: object) -> None:
    """Keep the measured numbers (the report reads them; nothing is asserted about speed)."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    known = json.loads(REPORT.read_text()) if REPORT.is_file() else {}
    REPORT.write_text(json.dumps({**known, **numbers}, indent=2))


def test_page_loads_offline_and_falls_back_to_wasm(page, server: DemoServer, refused: list[str]):
    backend = page.locator("#backend")
    assert backend.get_attribute("data-selected") == "wasm"
    assert backend.get_attribute("data-running") == "wasm"
    text = backend.inner_text()
    assert "no WebGPU" in text or "no GPU adapter" in text, text
    # The COOP/COEP headers made the page cross-origin isolated, so wasm may use threads.
    assert page.evaluate("self.crossOriginIsolated") is True
    assert "page not cross-origin isolated" not in text
    assert "Classifier ready on wasm" in page.inner_text("#digit-stats")
    assert refused == [], f"the page tried to leave 127.0.0.1: {refused}"
    assert list(server.failed_requests()) == []
    record(page_ready_ms=round(page.evaluate("window.demo.readyMs")))


def test_classifier_matches_python_onnxruntime(page):
    import onnxruntime

    samples = json.loads((FOLDERS.models / "digits" / "samples.json").read_text())
    rows = samples["inputs"]
    in_browser = page.evaluate("rows => window.demo.classify(rows)", rows)

    session = onnxruntime.InferenceSession(str(FOLDERS.models / "digits" / "model.onnx"))
    (probabilities,) = session.run(None, {session.get_inputs()[0].name: np.asarray(rows, np.float32)})
    labels = probabilities.argmax(axis=1)
    assert in_browser["labels"] == labels.tolist()
    np.testing.assert_allclose(in_browser["probabilities"], probabilities, atol=1e-5)
    assert np.mean(labels == np.asarray(samples["labels"])) > 0.9  # a real classifier, not a constant
    record(classify_rows=len(rows), classify_ms=round(in_browser["ms"], 2))


def test_drawing_on_the_canvas_is_classified_like_python(page):
    import onnxruntime

    box = page.locator("#pad").bounding_box()
    # A "7": a bar along the top, then a stroke down to the bottom left.
    points = [(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]
    page.mouse.move(box["x"] + box["width"] * points[0][0], box["y"] + box["height"] * points[0][1])
    page.mouse.down()
    for fx, fy in points[1:]:
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy, steps=12)
    page.mouse.up()
    page.wait_for_function("document.getElementById('digit').dataset.probabilities")
    drawn = page.evaluate("window.demo.digits.lastInput")
    assert len(drawn) == 64 and max(drawn) <= 16 and sum(drawn) > 0
    assert drawn[:8] != [0] * 8, "the bar of the 7 fills the top row after cropping"
    # The page's preprocessing is the lesson's exercise: its reference solution gives the same 64 numbers.
    ink = page.evaluate("""() => {
        const pad = document.getElementById('pad');
        const rgba = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height).data;
        return Array.from({ length: pad.height }, (_, y) =>
            Array.from({ length: pad.width }, (_, x) => rgba[(y * pad.width + x) * 4] < 128));
    }""")
    assert reference_solution().digit_pixels(np.asarray(ink)) == drawn
    session = onnxruntime.InferenceSession(str(FOLDERS.models / "digits" / "model.onnx"))
    (probabilities,) = session.run(None, {session.get_inputs()[0].name: np.asarray([drawn], np.float32)})
    assert page.inner_text("#digit") == str(int(probabilities[0].argmax()))
    assert "ms on wasm" in page.inner_text("#digit-stats")


def test_stand_in_webgpu_adapter_is_selected_then_falls_back(browser, server: DemoServer, refused: list[str]):
    context = new_context(browser, refused)
    context.add_init_script(STAND_IN_ADAPTER)
    page = open_page(context, server)
    backend = page.locator("#backend")
    assert backend.get_attribute("data-selected") == "webgpu"
    assert "WebGPU adapter: stand-in test" in backend.inner_text()
    # The stand-in cannot really compute, so the session falls back to wasm, and the page says so.
    assert backend.get_attribute("data-running") == "wasm"
    assert "fell back to wasm" in backend.inner_text()
    assert page.evaluate("window.demo.classify([Array(64).fill(0)])")["labels"][0] in range(10)
    context.close()


@pytest.fixture(scope="module")
def language_model() -> Path:
    folder = FOLDERS.models / "smollm2"
    require((folder / ".source.json").is_file(), "SmolLM2's web export is not built (`make browser-model`)")
    return folder


def test_tokenizer_matches_transformers(page, language_model: Path):
    checks = json.loads((language_model / "tokenizer_checks.json").read_text())
    encoded = page.evaluate("""async checks => {
        const { Tokenizer } = await import('./tokenizer.js');
        const tokenizer = new Tokenizer(await (await fetch('/models/smollm2/tokenizer.json')).json());
        return checks.map(check => tokenizer.encode(check.text));
    }""", checks)
    assert encoded == [check["ids"] for check in checks]


@pytest.mark.slow
def test_smollm2_in_the_browser_knows_the_capital_of_france(page, language_model: Path, refused: list[str]):
    page.fill("#prompt", "What is the capital of France?")
    page.fill("#max-tokens", "24")
    page.click("#generate")
    page.wait_for_function("document.getElementById('llm-stats').dataset.result", timeout=180_000)
    result = json.loads(page.locator("#llm-stats").get_attribute("data-result"))
    answer = page.inner_text("#answer")
    assert "Paris" in answer, answer
    assert result["text"] == answer and result["backend"] == "wasm" and result["tokens"] >= 2
    assert refused == []
    record(llm_answer=answer, llm_load_s=round(result["loadMs"] / 1000, 2),
           llm_first_token_s=round(result["firstTokenMs"] / 1000, 2), llm_prompt_tokens=result["promptTokens"],
           llm_tokens=result["tokens"], llm_tokens_per_s=round(result["tokensPerSecond"], 2))
