// Lesson 08: two models running in this browser tab with ONNX Runtime Web, on WebGPU when the browser has a
// GPU adapter, otherwise on WebAssembly (CPU). Every file comes from the page's own server: ONNX Runtime Web
// was vendored from npm at set-up (make browser-demo), the models were built offline (make browser-model).
import * as ort from '/vendor/onnxruntime-web/ort.webgpu.min.mjs';
import { Tokenizer } from './tokenizer.js';

ort.env.wasm.wasmPaths = '/vendor/onnxruntime-web/';
// Threads need a cross-origin isolated page (the course's server sends the COOP/COEP headers). Half the logical
// CPUs, 1 to 4, like the course's llama.cpp server: the threads wait for each other at every step, so taking
// every core stalls them whenever anything else runs (2 cores, 2 busy processes: 12.7 s -> 8.7 s for one answer).
ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.max(1, Math.min(4, Math.floor((navigator.hardwareConcurrency || 2) / 2))) : 1;
// On wasm, run ONNX Runtime in a Web Worker so the page stays responsive while a model loads or computes
// (the worker is set up on the first session; WebGPU sessions must run on the page's own thread).
const useWorker = on => { ort.env.wasm.proxy = on; };

const $ = id => document.getElementById(id);
const now = () => performance.now();

// ---- 1. Which backend? -------------------------------------------------------------------------------------
/** WebGPU when the browser exposes navigator.gpu AND hands out an adapter (a usable GPU); else wasm. */
export async function chooseBackend(gpu = navigator.gpu) {
  if (!gpu) return { backend: 'wasm', reason: 'this browser has no WebGPU (navigator.gpu is undefined)' };
  let adapter = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (error) {
    return { backend: 'wasm', reason: `requestAdapter() failed: ${error.message}` };
  }
  if (!adapter) return { backend: 'wasm', reason: 'WebGPU exists but requestAdapter() found no GPU adapter' };
  const info = adapter.info ?? {};
  return { backend: 'webgpu', reason: `WebGPU adapter: ${info.vendor || 'unknown vendor'} ${info.architecture || ''}`.trim() };
}

const state = { choice: null, fellBack: null, probed: null };

/** An adapter is a promise, a device is a GPU you can use: ask for one before handing WebGPU to the runtime. */
async function probeDevice() {
  const adapter = await navigator.gpu.requestAdapter();
  const device = await adapter.requestDevice();
  device.destroy();
}

/** Create a session on the chosen backend; if WebGPU fails to start, say so and fall back to wasm. */
async function createSession(url, options = {}) {
  if (state.choice.backend === 'webgpu' && !state.fellBack) {
    try {
      state.probed ??= probeDevice();
      await state.probed;
      return { session: await ort.InferenceSession.create(url, { ...options, executionProviders: ['webgpu'] }), backend: 'webgpu' };
    } catch (error) {
      state.fellBack = `WebGPU could not start (${error.message}); fell back to wasm`;
      showBackend();
    }
  }
  useWorker(true);
  return { session: await ort.InferenceSession.create(url, { ...options, executionProviders: ['wasm'] }), backend: 'wasm' };
}

function showBackend() {
  const { backend, reason } = state.choice;
  const threads = ort.env.wasm.numThreads;
  $('backend').dataset.selected = backend;
  $('backend').dataset.running = state.fellBack ? 'wasm' : backend;
  $('backend').textContent = [
    `Selected backend: ${backend} (${reason}).`,
    state.fellBack ? `${state.fellBack}.` : '',
    `wasm threads: ${threads}${self.crossOriginIsolated ? '' : ' (page not cross-origin isolated)'}.`,
  ].filter(Boolean).join('\n');
}

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} is missing (HTTP ${response.status}): run \`make browser-model\``);
  return response.json();
}

// ---- 2. The digit classifier ---------------------------------------------------------------------------------
const digits = { session: null, backend: null, lastInput: null };

/** A drawing (RGBA pixels, dark ink on white) -> the 64 numbers the model was trained on.
 *  Like the data set (UCI optdigits): fit the ink's bounding box into a 32x32 bitmap, then count the inked
 *  pixels in each 4x4 block, giving 8x8 values from 0 to 16. Returns null for an empty drawing. */
export function preprocess(rgba, width, height) {
  const ink = (x, y) => rgba[(y * width + x) * 4] < 128;
  let left = width, right = -1, top = height, bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink(x, y)) { left = Math.min(left, x); right = Math.max(right, x); top = Math.min(top, y); bottom = Math.max(bottom, y); }
    }
  }
  if (right < 0) return null;
  const side = Math.max(right - left + 1, bottom - top + 1);
  const x0 = left - (side - (right - left + 1)) / 2, y0 = top - (side - (bottom - top + 1)) / 2;
  const counts = new Float32Array(64);
  for (let ty = 0; ty < 32; ty++) {
    for (let tx = 0; tx < 32; tx++) {
      const x = Math.floor(x0 + (tx + 0.5) * side / 32), y = Math.floor(y0 + (ty + 0.5) * side / 32);
      if (x >= 0 && x < width && y >= 0 && y < height && ink(x, y)) counts[(ty >> 2) * 8 + (tx >> 2)] += 1;
    }
  }
  return counts;
}

/** 64 pixel values (0..16) per row -> probabilities and the predicted digit per row, with the time taken. */
export async function classify(rows) {
  const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 64]);
  const started = now();
  const output = await digits.session.run({ [digits.session.inputNames[0]]: input });
  const ms = now() - started;
  const probs = output.probabilities.data;
  const result = rows.map((_, r) => Array.from(probs.slice(r * 10, r * 10 + 10)));
  return { probabilities: result, labels: result.map(p => p.indexOf(Math.max(...p))), ms, backend: digits.backend };
}

async function predictDrawing() {
  const pad = $('pad');
  const pixels = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height).data;
  const input = preprocess(pixels, pad.width, pad.height);
  if (!input || !digits.session) return;
  digits.lastInput = Array.from(input);
  drawPreview(input);
  const { probabilities, labels, ms, backend } = await classify([digits.lastInput]);
  $('digit').textContent = String(labels[0]);
  $('digit-stats').textContent = `${(100 * probabilities[0][labels[0]]).toFixed(1)} % sure · ${ms.toFixed(2)} ms on ${backend}`;
  $('digit').dataset.probabilities = JSON.stringify(probabilities[0]);
}

function drawPreview(input) {
  const context = $('preview').getContext('2d');
  const image = context.createImageData(8, 8);
  input.forEach((v, i) => {
    const shade = 255 - Math.round(255 * v / 16);
    image.data.set([shade, shade, shade, 255], i * 4);
  });
  context.putImageData(image, 0, 0);
}

function setUpPad() {
  const pad = $('pad'), context = pad.getContext('2d');
  const clear = () => { context.fillStyle = '#fff'; context.fillRect(0, 0, pad.width, pad.height); };
  clear();
  context.lineWidth = 18; context.lineCap = 'round'; context.lineJoin = 'round'; context.strokeStyle = '#000';
  let drawing = false;
  const at = event => { const r = pad.getBoundingClientRect(); return [event.clientX - r.left, event.clientY - r.top]; };
  pad.addEventListener('pointerdown', e => { drawing = true; context.beginPath(); context.moveTo(...at(e)); });
  pad.addEventListener('pointermove', e => { if (drawing) { context.lineTo(...at(e)); context.stroke(); } });
  const finish = () => { if (drawing) { drawing = false; predictDrawing(); } };
  pad.addEventListener('pointerup', finish);
  pad.addEventListener('pointerleave', finish);
  $('clear').addEventListener('click', () => { clear(); $('digit').textContent = '–'; });
}

async function loadDigits() {
  const started = now();
  try {
    const { session, backend } = await createSession('/models/digits/model.onnx');
    Object.assign(digits, { session, backend });
    $('digit-stats').textContent = `Classifier ready on ${backend} in ${(now() - started).toFixed(0)} ms: draw a digit.`;
  } catch (error) {
    $('digit-stats').textContent = `The digit classifier is not available: ${error.message}`;
  }
}

// ---- 3. SmolLM2 in the browser ---------------------------------------------------------------------------------
const llm = { session: null, backend: null, tokenizer: null, config: null, loadMs: null };
// ?model=<folder> loads another export from /models/ (the default is the one `make browser-model` builds).
const LLM_FOLDER = `/models/${new URLSearchParams(location.search).get('model') ?? 'smollm2'}/`;

async function loadLanguageModel() {
  if (llm.session) return;
  const started = now();
  $('llm-stats').textContent = 'Loading SmolLM2 (190–260 MB, once per page)…';
  const [config, tokenizerJson] = await Promise.all([
    fetchJson(LLM_FOLDER + 'web_config.json'), fetchJson(LLM_FOLDER + 'tokenizer.json')]);
  // Weights over 2 GB, or kept apart by the exporter, live in a separate file the session fetches too.
  const externalData = (config.external_data ?? []).map(name => ({ path: name, data: LLM_FOLDER + name }));
  // Float32 arithmetic (fp16-stored weights) is the fast path on wasm; 4-bit weights are the fast path on a GPU.
  const file = state.choice.backend === 'webgpu' && !state.fellBack ? 'model_q4.onnx' : 'model.onnx';
  const { session, backend } = await createSession(LLM_FOLDER + file, { externalData });
  Object.assign(llm, { session, backend, config, tokenizer: new Tokenizer(tokenizerJson), loadMs: now() - started });
}

function argmaxLastRow(logits) {
  const vocab = logits.dims[2], offset = (logits.dims[1] - 1) * vocab, data = logits.data;
  let best = 0;
  for (let i = 1; i < vocab; i++) if (data[offset + i] > data[offset + best]) best = i;
  return best;
}

const int64 = values => BigInt64Array.from(values, v => BigInt(v));

/** Greedy decoding with a key/value cache: the prompt once, then one token per step, each shown at once. */
export async function generate(question, { maxTokens = 48, onText = () => {} } = {}) {
  await loadLanguageModel();
  const { session, tokenizer, config } = llm;
  const promptIds = tokenizer.encode(config.prompt_prefix + question + config.prompt_suffix);
  // An empty cache per input: each tensor needs its own buffer (the worker takes ownership of it).
  const emptyCache = () => new ort.Tensor('float32', new Float32Array(0), [1, config.num_key_value_heads, 0, config.head_dim]);
  const feeds = {};
  for (let layer = 0; layer < config.num_layers; layer++) {
    feeds[`past_key_values.${layer}.key`] = emptyCache();
    feeds[`past_key_values.${layer}.value`] = emptyCache();
  }
  const decoder = new TextDecoder();
  const tokens = [];
  let input = promptIds, text = '';
  const started = now();
  let firstTokenMs = null;
  while (tokens.length < maxTokens) {
    const seen = promptIds.length + tokens.length;
    feeds.input_ids = new ort.Tensor('int64', int64(input), [1, input.length]);
    feeds.attention_mask = new ort.Tensor('int64', int64(Array(seen).fill(1)), [1, seen]);
    if (session.inputNames.includes('position_ids')) {
      feeds.position_ids = new ort.Tensor('int64', int64(input.map((_, i) => seen - input.length + i)), [1, input.length]);
    }
    const output = await session.run(feeds);
    const next = argmaxLastRow(output.logits);
    firstTokenMs ??= now() - started;
    if (config.eos_token_ids.includes(next)) break;
    tokens.push(next);
    text += decoder.decode(tokenizer.tokenBytes(next), { stream: true });
    onText(text);
    for (let layer = 0; layer < config.num_layers; layer++) {
      feeds[`past_key_values.${layer}.key`] = output[`present.${layer}.key`];
      feeds[`past_key_values.${layer}.value`] = output[`present.${layer}.value`];
    }
    input = [next];
  }
  text += decoder.decode();
  const totalMs = now() - started;
  const decodeSeconds = (totalMs - firstTokenMs) / 1000;
  return {
    text, tokens: tokens.length, promptTokens: promptIds.length, backend: llm.backend, loadMs: llm.loadMs,
    firstTokenMs, totalMs, tokensPerSecond: tokens.length > 1 ? (tokens.length - 1) / decodeSeconds : null,
  };
}

async function onGenerate() {
  $('generate').disabled = true;
  $('answer').textContent = '';
  try {
    const result = await generate($('prompt').value, {
      maxTokens: Number($('max-tokens').value), onText: text => { $('answer').textContent = text; } });
    $('llm-stats').textContent = `${result.backend} · load ${(result.loadMs / 1000).toFixed(1)} s · first token ` +
      `${(result.firstTokenMs / 1000).toFixed(2)} s (${result.promptTokens} prompt tokens) · ` +
      `${result.tokens} tokens at ${result.tokensPerSecond?.toFixed(1) ?? '–'} tokens/s`;
    $('llm-stats').dataset.result = JSON.stringify(result);
  } catch (error) {
    $('llm-stats').textContent = `The language model is not available: ${error.message}`;
  } finally {
    $('generate').disabled = false;
  }
}

// ---- Start -------------------------------------------------------------------------------------------------------
async function start() {
  const pageStarted = now();
  state.choice = await chooseBackend();
  showBackend();
  setUpPad();
  $('generate').addEventListener('click', onGenerate);
  $('generate').disabled = false;
  await loadDigits();
  // For the lesson's notebook and the tests: the same functions the buttons use, and the page's timings.
  window.demo = { chooseBackend, preprocess, classify, generate, state, digits, llm, readyMs: now() - pageStarted };
  document.body.dataset.ready = 'true';
}

start();
