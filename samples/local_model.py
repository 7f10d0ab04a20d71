"""Find the local model the samples talk to: a running server, or Foundry Local SDK v2 in this process.

Standalone (no course package): copy it next to the seed scripts into your own project.

- ``FOUNDRY_LOCAL_ENDPOINT`` set (for example ``http://127.0.0.1:5273/v1``, what ``foundry server status``
  prints plus ``/v1``; CLIs before 0.10: ``foundry service status``): use that server. ``WORKSHOP_MODEL``
  picks the model by id or alias; unset, the first model the server lists.
- unset: start Foundry Local SDK v2 here (``pip install foundry-local-sdk``): catalog -> download (once) ->
  load -> web service. ``WORKSHOP_MODEL`` is the catalog alias (default ``qwen2.5-0.5b``).
"""

from __future__ import annotations

import os
import re
import sys

import requests

DEFAULT_ALIAS = "qwen2.5-0.5b"
#: What may follow an alias in a model id's name: ``-instruct``, then a device suffix ``-<vendor>-<cpu|gpu|npu>``
#: (both optional); a ``:tag`` (version) after the name is free. So ``phi-4`` is never ``Phi-4-mini-...``.
VARIANT_SUFFIX = re.compile(r"(?:-instruct)?(?:-[a-z0-9]+-(?:cpu|gpu|npu))?")


def is_variant(alias: str, model_id: str) -> bool:
    """``model_id`` is ``alias`` itself, or ``alias`` + the suffixes above (+ ``:tag``), case-insensitive."""
    alias, name = alias.lower(), model_id.lower().partition(":")[0]
    if model_id.lower() == alias:
        return True
    return name.startswith(alias) and VARIANT_SUFFIX.fullmatch(name[len(alias):]) is not None


def pick_model(requested: str | None, served: list[str]) -> str:
    """The served id for ``requested``: the id itself, or a variant of that alias (:func:`is_variant`)."""
    if not served:
        sys.exit("The server lists no models. Load one first (Foundry Local: `foundry model run <alias>`).")
    if not requested:
        return served[0]
    matches = [i for i in served if is_variant(requested, i)]
    if not matches:
        sys.exit(f"Model {requested!r} is not served here. Served: {', '.join(served)}. Set WORKSHOP_MODEL to one.")
    return matches[0]


def from_endpoint(endpoint: str, requested: str | None) -> tuple[str, str, str]:
    base_url = endpoint.rstrip("/")
    try:
        listing = requests.get(f"{base_url}/models", timeout=10)
        listing.raise_for_status()
    except requests.RequestException as error:
        sys.exit(f"No OpenAI-compatible server answered at {base_url} ({type(error).__name__}). Start it, "
                 "or fix FOUNDRY_LOCAL_ENDPOINT (it ends in /v1).")
    served = [entry["id"] for entry in listing.json()["data"]]
    return base_url, os.environ.get("OPENAI_API_KEY") or "not-needed-locally", pick_model(requested, served)


def from_foundry_sdk(alias: str) -> tuple[str, str, str]:
    from foundry_local_sdk import Configuration, FoundryLocalManager

    FoundryLocalManager.initialize(Configuration(
        app_name="foundry-samples", web=Configuration.WebService(urls="http://127.0.0.1:0")))
    manager = FoundryLocalManager.instance
    model = manager.catalog.get_model(alias)
    if model is None:
        sys.exit(f"Foundry Local's catalog has no {alias!r} (or cannot be reached: offline?). "
                 "Set WORKSHOP_MODEL to a catalog alias, or FOUNDRY_LOCAL_ENDPOINT to a running server.")
    if not model.is_cached:
        model.download(lambda percent: print(f"\rdownloading {model.id}: {percent:5.1f}%", end="", file=sys.stderr))
    model.load()
    manager.start_web_service()
    return manager.urls[0].rstrip("/") + "/v1", "not-needed-locally", model.id


def local_model() -> tuple[str, str, str]:
    """``(base_url, api_key, model_id)`` of the model to use (see the module docstring)."""
    endpoint, requested = os.environ.get("FOUNDRY_LOCAL_ENDPOINT"), os.environ.get("WORKSHOP_MODEL")
    if endpoint:
        return from_endpoint(endpoint, requested)
    return from_foundry_sdk(requested or DEFAULT_ALIAS)
