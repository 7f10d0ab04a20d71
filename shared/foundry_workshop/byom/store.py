"""Where converted models live, laid out the way Foundry Local reads them.

    <root>/onnx/<name>/          conversion output (cached: rebuilt only when the source changes)
    <root>/cache/<name>-<ver>/   Foundry Local's model cache: the model files + inference_model.json
    <root>/catalog.json          catalog entries served by the local catalog (see local_catalog)

The root is ``WORKSHOP_BYOM_DIR``, else ``foundry/`` in the build folder (``WORKSHOP_BUILD_DIR``, or ``build/`` in
the course checkout: :func:`foundry_workshop.settings.build_dir`), else ``~/.cache/foundry-workshop/byom``
outside a checkout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from foundry_workshop.settings import build_dir, course_dir, env_value

#: The one model the course converts: the bundled SmolLM2, under a Foundry-style id.
MODEL_NAME = "smollm2-135m-instruct-generic-cpu"
MODEL_VERSION = 1
ALIAS = "smollm2-135m-instruct"


def default_root() -> Path:
    configured = env_value("WORKSHOP_BYOM_DIR")
    if configured:
        return Path(configured)
    if env_value("WORKSHOP_BUILD_DIR") or course_dir() is not None:
        return build_dir() / "foundry"
    return Path.home() / ".cache" / "foundry-workshop" / "byom"


@dataclass(frozen=True)
class Store:
    root: Path

    @classmethod
    def default(cls) -> Store:
        return cls(default_root())

    @property
    def cache_dir(self) -> Path:
        return self.root / "cache"

    @property
    def catalog_path(self) -> Path:
        return self.root / "catalog.json"

    def onnx_dir(self, name: str = MODEL_NAME) -> Path:
        return self.root / "onnx" / name

    def model_dir(self, name: str = MODEL_NAME, version: int = MODEL_VERSION) -> Path:
        return self.cache_dir / f"{name}-{version}"

    def entries(self) -> list[dict]:
        """Catalog entries of the models installed here ([] when nothing was built)."""
        if not self.catalog_path.is_file():
            return []
        return json.loads(self.catalog_path.read_text())["value"]

    def model_ids(self) -> list[str]:
        return [f"{e['properties']['name']}:{e['properties']['version']}" for e in self.entries()]

    def aliases(self) -> list[str]:
        return [entry["annotations"]["tags"]["alias"] for entry in self.entries()]

    @property
    def built(self) -> bool:
        return bool(self.entries())
