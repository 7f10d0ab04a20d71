"""Train and export the page's digit classifier: scikit-learn's bundled digits -> ONNX (no download).

Runs inside the conversion environment (``build/convert-venv``: scikit-learn and skl2onnx live there, not in
the course's venv) and therefore imports nothing from ``foundry_workshop``.

The data are the 1,797 8x8 digits that ship inside scikit-learn (UCI "optdigits": 32x32 bitmaps of
handwriting, each 4x4 block counted, so a pixel is 0..16). The model is a small multilayer perceptron; skl2onnx
writes it without ZipMap, and only the ``probabilities`` output is kept: the ``label`` output goes through
ArrayFeatureExtractor, an ONNX-ML operator ONNX Runtime Web does not have (the page takes the argmax itself).
Alongside the model it writes ``samples.json``: held-out rows and labels, the known inputs the tests feed
both to the browser and to Python's onnxruntime.

    python export_digits.py --out build/browser/models/digits
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    import numpy as np
    import onnx.utils
    from skl2onnx import to_onnx
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    started = time.monotonic()
    digits = load_digits()
    x = digits.data.astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(x, digits.target, test_size=0.25, random_state=0,
                                                        stratify=digits.target)
    # Trained on the raw 0..16 block counts, so the page feeds exactly what it computes. (A StandardScaler in
    # front would be tidier, but skl2onnx writes it as the ai.onnx.ml Scaler op, which ONNX Runtime Web lacks.)
    model = MLPClassifier(hidden_layer_sizes=(64,), max_iter=600, random_state=0)
    model.fit(x_train, y_train)
    accuracy = float(model.score(x_test, y_test))
    onnx_model = to_onnx(model, x_train[:1], options={"zipmap": False}, target_opset=17)
    args.out.mkdir(parents=True, exist_ok=True)
    full, model_file = args.out / "full.onnx", args.out / "model.onnx"
    full.write_bytes(onnx_model.SerializeToString())
    onnx.utils.extract_model(str(full), str(model_file), [onnx_model.graph.input[0].name], ["probabilities"])
    full.unlink()
    (args.out / "samples.json").write_text(json.dumps({
        "scale": 16, "shape": [8, 8], "accuracy": round(accuracy, 4),
        "inputs": x_test.astype(int).tolist(), "labels": y_test.astype(int).tolist(),
    }))
    print(f"digits: test accuracy {accuracy:.3f}; wrote {args.out} in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
