"""Export the bundled SmolLM2 GGUF to one quantized ONNX file that ONNX Runtime Web runs in a browser tab.

Runs inside the conversion environment (``build/convert-venv``), the same one ``make foundry-model`` uses, so
no third environment is needed: transformers reads the GGUF (the same step as for Foundry Local, shared
through :mod:`convert_gguf`), onnxruntime-genai's model builder writes an fp32 ONNX graph with a key/value
cache, and its weights are stored in half precision (``model.onnx``, for wasm) and as 4-bit blocks
(``model_q4.onnx``, for WebGPU).

Why not optimum's exporter, as transformers.js models are usually made? optimum-onnx needs transformers<4.58,
the builder does not: one environment for both conversions. Why not the Foundry model's int4 file? It runs
in ONNX Runtime Web, but 4-bit kernels are several times slower than float32 ones on WebAssembly.

Outputs in ``--out`` (the page reads all of them; it imports nothing else):
    model.onnx, model_q4.onnx  inputs input_ids, attention_mask, past_key_values.N.key/value;
                               outputs logits, present.N.key/value
    tokenizer.json          the Hugging Face tokenizer (vocabulary + merges) for the page's BPE tokenizer
    web_config.json         layer/head sizes, stop tokens, and the chat template rendered around one question
    tokenizer_checks.json   texts and the token ids transformers gives them (tests compare the page's tokenizer)

    PYTHONPATH=<package>/byom python export_smollm2.py --gguf path/to/model.gguf --out build/browser/models/smollm2
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The GGUF -> Hugging Face step shared with Foundry Local's conversion; the caller puts its folder
# (foundry_workshop/byom) on PYTHONPATH, as foundry_workshop.browser.models does.
from convert_gguf import gguf_to_hf

TOKENIZER_CHECKS = [
    "What is the capital of France?",
    "Hello, world! It's 2026 — naïve café, 東京 and emoji 🙂.",
    "  leading spaces\nnew lines\t\ttabs, and numbers 12345.678",
]
PLACEHOLDER = "\u2063QUESTION\u2063"


def build_fp32(hf_dir: Path, out_dir: Path, cache_dir: Path) -> None:
    """onnxruntime-genai's builder, CPU, fp32: a plain graph that dynamic quantization can then shrink."""
    subprocess.run([sys.executable, "-m", "onnxruntime_genai.models.builder", "-i", str(hf_dir), "-o",
                    str(out_dir), "-p", "fp32", "-e", "cpu", "-c", str(cache_dir)], check=True)


def half_precision_weights(fp32_model: Path, out_model: Path) -> None:
    """Store every large weight as float16 and cast it back to float32 inside the graph.

    Half the download, and the arithmetic stays float32 (ONNX Runtime folds the casts into float32 weights
    when the session is created), so the page computes what Python's onnxruntime computes, at wasm's
    fastest speed. Integer quantization was measured and rejected for the wasm path (docs/browser-ai.md):
    int8 (MatMulInteger) changes the answers on wasm, int4 (MatMulNBits) is ~6x slower there.
    """
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(fp32_model))
    graph = model.graph
    kept, casts = [], []
    for tensor in graph.initializer:
        if tensor.data_type == onnx.TensorProto.FLOAT and np.prod(tensor.dims) >= 65536:
            half = numpy_helper.from_array(numpy_helper.to_array(tensor).astype(np.float16), tensor.name + "_fp16")
            kept.append(half)
            casts.append(helper.make_node("Cast", [half.name], [tensor.name], to=onnx.TensorProto.FLOAT,
                                          name=tensor.name + "_to_fp32"))
        else:
            kept.append(tensor)
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.save_model(model, str(out_model))


def int4_weights(fp32_model: Path, out_model: Path) -> None:
    """4-bit MatMulNBits weights (block 32): the usual format for WebGPU, where these kernels are fast."""
    import onnx
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    quantizer = MatMulNBitsQuantizer(onnx.load(str(fp32_model)), block_size=32, is_symmetric=True,
                                     op_types_to_quantize=("MatMul",))
    quantizer.process()
    quantizer.model.save_model_to_file(str(out_model), False)


def web_config(hf_dir: Path, onnx_dir: Path, stop_ids: list[int]) -> dict:
    from transformers import AutoTokenizer

    genai = json.loads((onnx_dir / "genai_config.json").read_text())["model"]["decoder"]
    tokenizer = AutoTokenizer.from_pretrained(str(hf_dir))
    rendered = tokenizer.apply_chat_template([{"role": "user", "content": PLACEHOLDER}], tokenize=False,
                                             add_generation_prompt=True)
    prefix, suffix = rendered.split(PLACEHOLDER)
    return {
        "num_layers": genai["num_hidden_layers"], "num_key_value_heads": genai["num_key_value_heads"],
        "head_dim": genai["head_size"], "eos_token_ids": stop_ids, "prompt_prefix": prefix, "prompt_suffix": suffix,
    }


def tokenizer_checks(hf_dir: Path) -> list[dict]:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(hf_dir))
    return [{"text": text, "ids": tokenizer.encode(text, add_special_tokens=False)} for text in TOKENIZER_CHECKS]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gguf", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="web-export-", dir=args.out.parent) as work:
        work_dir = Path(work)
        hf_dir, onnx_dir, staging = work_dir / "hf", work_dir / "onnx", work_dir / "web"
        stop_ids = gguf_to_hf(args.gguf, hf_dir)
        build_fp32(hf_dir, onnx_dir, work_dir / "cache")
        staging.mkdir()
        half_precision_weights(onnx_dir / "model.onnx", staging / "model.onnx")
        int4_weights(onnx_dir / "model.onnx", staging / "model_q4.onnx")
        shutil.copy2(hf_dir / "tokenizer.json", staging / "tokenizer.json")
        config = web_config(hf_dir, onnx_dir, stop_ids)
        (staging / "web_config.json").write_text(json.dumps(config, indent=2))
        (staging / "tokenizer_checks.json").write_text(json.dumps(tokenizer_checks(hf_dir), ensure_ascii=False))
        if args.out.exists():
            shutil.rmtree(args.out)
        shutil.move(str(staging), str(args.out))  # only a complete export ever appears at --out
    size = (args.out / "model.onnx").stat().st_size / 2**20
    print(f"wrote {args.out} ({size:.0f} MiB model, fp16 weights) in {time.monotonic() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
