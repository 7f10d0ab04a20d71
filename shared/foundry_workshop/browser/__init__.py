"""Lesson 08's tooling: AI in the browser with ONNX Runtime Web, offline, on 127.0.0.1.

The page itself (``samples/webgpu_demo``: HTML + JavaScript) is what a learner reads and edits. This package
does the set-up around it, each step cached and runnable on Linux, macOS and Windows:

- :func:`vendor_runtime` — ``npm ci`` of the pinned, integrity-locked ``onnxruntime-web`` (``make browser-demo``);
- :func:`build_models` — the digit classifier and SmolLM2 exported to ONNX offline (``make browser-model``);
- :class:`DemoServer` — serves page, runtime and models with the MIME types and COOP/COEP headers ONNX
  Runtime Web needs (``python -m foundry_workshop.browser serve``);
- :func:`launch_chromium` / :func:`block_non_loopback` — the headless, offline browser the tests and the
  lesson use.
"""

from foundry_workshop.browser.chromium import (
    CHROMIUM_ARGS,
    block_non_loopback,
    chromium_path,
    chromium_problem,
    find_chromium,
    launch_chromium,
)
from foundry_workshop.browser.models import MODELS, BuiltModel, ExportError, build_models, built
from foundry_workshop.browser.server import ISOLATION_HEADERS, DemoFolders, DemoServer
from foundry_workshop.browser.vendor import NodeMissingError, Vendored, VendorError, vendor_runtime

__all__ = [
    "CHROMIUM_ARGS", "ISOLATION_HEADERS", "MODELS", "BuiltModel", "DemoFolders", "DemoServer", "ExportError",
    "NodeMissingError", "VendorError", "Vendored", "block_non_loopback", "build_models", "built",
    "chromium_path", "chromium_problem", "find_chromium", "launch_chromium", "vendor_runtime",
]
