"""Convert a GGUF chat model into an ONNX Runtime GenAI model that Foundry Local can run.

Runs inside the *conversion* environment (``build/convert-venv``, from ``requirements-convert.txt``), never in
the course's: it needs torch, transformers and onnxruntime-genai's model builder, ~1.3 GB that learners only
need for this one step. It therefore imports nothing from ``foundry_workshop``.

Steps, each a known pitfall (see shared notes, "SmolLM2 in Foundry Local"):
1. transformers reads the GGUF (dequantizing to fp32) and writes a Hugging Face folder. The chat template's
   end token (``<|im_end|>``) is made the end-of-sequence token, or generation runs past the answer.
2. onnxruntime-genai's official builder writes an int4 CPU model. Quantization matters: the default int4
   (round-to-nearest) on weights that were already Q4_1 loops ("1. 1. 1."); ``k_quant_mixed`` answers well.
3. ``genai_config.json`` gets both end tokens (``<|im_end|>`` and ``<|endoftext|>``) as stop tokens.

    python convert_gguf.py --gguf path/to/model.gguf --out build/foundry/onnx/<name>
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


def gguf_to_hf(gguf: Path, hf_dir: Path) -> list[int]:
    """Write a Hugging Face fp32 checkpoint of ``gguf`` to ``hf_dir``; returns the stop token ids."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    stop_ids = []
    for token in ("<|im_end|>", tokenizer.eos_token):
        token_id = tokenizer.convert_tokens_to_ids(token) if token else None
        if isinstance(token_id, int) and token_id >= 0 and token_id not in stop_ids:
            stop_ids.append(token_id)
    if not stop_ids:
        raise SystemExit(f"{gguf.name}: no end-of-turn token found; is this a chat (instruct) model?")
    model.generation_config.eos_token_id = stop_ids[0]
    model.config.eos_token_id = stop_ids[0]
    # transformers de-quantized every GGUF tensor to fp32 while loading, but still tags the model as "quantized
    # with gguf" and refuses to save it. The weights are plain fp32: drop the tag so they can be written.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(str(hf_dir))
    tokenizer.save_pretrained(str(hf_dir))
    return stop_ids


def build_onnx(hf_dir: Path, out_dir: Path, precision: str, cache_dir: Path) -> None:
    """Run the official onnxruntime-genai builder (as a module, exactly as its documentation shows)."""
    command = [
        sys.executable, "-m", "onnxruntime_genai.models.builder",
        "-i", str(hf_dir), "-o", str(out_dir), "-p", precision, "-e", "cpu", "-c", str(cache_dir),
    ]
    if precision == "int4":
        command += ["--extra_options", "algo_config=k_quant_mixed"]
    subprocess.run(command, check=True)


def set_stop_tokens(out_dir: Path, stop_ids: list[int]) -> None:
    config_path = out_dir / "genai_config.json"
    config = json.loads(config_path.read_text())
    config["model"]["eos_token_id"] = stop_ids
    config_path.write_text(json.dumps(config, indent=4))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gguf", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--precision", choices=["int4", "int8", "fp32"], default="int4")
    args = parser.parse_args(argv)

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gguf-convert-") as work:
        work_dir = Path(work)
        stop_ids = gguf_to_hf(args.gguf, work_dir / "hf")
        print(f"read {args.gguf.name}; stop tokens {stop_ids}", flush=True)
        staging = work_dir / "onnx"
        build_onnx(work_dir / "hf", staging, args.precision, work_dir / "cache")
        set_stop_tokens(staging, stop_ids)
        if args.out.exists():
            shutil.rmtree(args.out)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), str(args.out))  # only a complete model ever appears at --out
    print(f"wrote {args.out} in {time.monotonic() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
