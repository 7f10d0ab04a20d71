"""Bring your own model to Foundry Local, offline.

``make foundry-model`` converts the bundled SmolLM2-135M-Instruct GGUF into an ONNX Runtime GenAI model
(:mod:`.convert_gguf`, in its own environment), installs it into a model store (:mod:`.store`), and the
``foundry`` backend then serves it through Foundry Local's own web service via a local catalog
(:mod:`.local_catalog` - the one place that works around the SDK's local-catalog gap).
"""
