"""The local catalog: how a bring-your-own model reaches Foundry Local's HTTP web service.

**Why this exists.** Foundry Local SDK v2 (2.2.1) registers BYOM models in its LOCAL catalog, where they work
in-process (``ChatSession``), but its built-in web service only serves models of the catalogs named in
``Configuration.catalog_urls`` (by default the public one): a locally registered model answers 404 over HTTP.

**What we do.** Serve a catalog document ourselves, on 127.0.0.1, in the exact shape of the public catalog
API (``POST .../asset-gallery/v1.0/models`` answering ``{"value": [entries]}``), point ``catalog_urls`` at it,
and place the model folder, with an ``inference_model.json`` naming its id, under ``model_cache_dir``. The SDK
then treats the model as a downloaded catalog model: ``/v1/models`` lists it and chat completions work.

**If a future SDK changes this,** the model would vanish silently; :func:`verify_served` checks that the web
service lists the model after start-up and raises :class:`LocalCatalogBroken` naming the SDK version.
Nothing outside this module knows about the workaround.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from foundry_workshop.errors import WorkshopError

CATALOG_PATH = "/asset-gallery/v1.0/models"


class LocalCatalogBroken(WorkshopError):
    """The SDK no longer serves local-catalog models over HTTP the way this workaround expects."""


def catalog_entry(name: str, version: int, alias: str, *, license: str, publisher: str, display_name: str) -> dict:
    """One catalog entry with the fields Foundry Local reads (a missing one makes the model vanish silently).

    Measured against SDK 2.2.1: id = ``properties.name:properties.version``; alias from
    ``annotations.tags.alias``; task, license and display name from ``annotations.systemCatalogData``;
    device and execution provider from ``properties.variantInfo.variantMetadata``.
    """
    return {
        "assetId": f"azureml://registries/workshop-local/models/{name}/versions/{version}",
        "annotations": {
            "tags": {"alias": alias},
            "systemCatalogData": {
                "inferenceTasks": ["chat-completion"],
                "license": license,
                "publisher": publisher,
                "displayName": display_name,
            },
        },
        "properties": {
            "name": name,
            "version": version,
            "variantInfo": {"variantMetadata": {"device": "cpu", "executionProvider": "CPUExecutionProvider"}},
        },
    }


def write_inference_model_json(model_dir: Path, model_id: str) -> None:
    """The marker Foundry Local looks for in a cache folder: exactly ``{"Name": "<name>:<version>"}``."""
    (model_dir / "inference_model.json").write_text(json.dumps({"Name": model_id}))


class LocalCatalogServer:
    """Serves ``catalog.json`` on 127.0.0.1 in the public catalog's wire format. Filters are ignored."""

    def __init__(self, catalog_path: Path) -> None:
        body = json.dumps({"value": json.loads(catalog_path.read_text())["value"]}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.split("?")[0] != CATALOG_PATH:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="local-catalog")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{CATALOG_PATH}"

    def start(self) -> LocalCatalogServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def clear_sdk_catalog_cache(cache_dir: Path) -> None:
    """The SDK caches catalog answers in ``foundry.modelinfo.json``; a stale one hides catalog changes."""
    (cache_dir / "foundry.modelinfo.json").unlink(missing_ok=True)


def verify_served(base_url: str, model_id: str) -> None:
    """Fail loudly if the web service does not list a model that the local catalog provides."""
    listed = [m["id"] for m in requests.get(f"{base_url}/models", timeout=10).json()["data"]]
    if model_id not in listed:
        from importlib.metadata import version

        raise LocalCatalogBroken(
            f"Foundry Local's web service does not list {model_id!r} (it lists {listed}). The local-catalog "
            f"workaround in foundry_workshop/byom/local_catalog.py was measured on foundry-local-sdk 2.2.1; "
            f"this is {version('foundry-local-sdk')}. Pin foundry-local-sdk==2.2.1 (requirements.txt), or "
            "use WORKSHOP_BACKEND=bundled for the same model on llama.cpp."
        )
