"""The one way every notebook, sample and test decides which backend and model to use.

Resolution order, for every setting: an explicit argument (a papermill parameter ends up here) >
an environment variable > a ``.env`` file (found from the working directory upwards) > the default.

Notebooks call :func:`from_env` in their ``parameters`` cell so the cell shows the values the environment
chose, papermill can override them in the injected cell after it, and :func:`resolve` turns whatever the
notebook ends with into :class:`Settings`. There is no second path: the Chainlit app, the benchmark CLI
and the tests go through the same two functions.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from dotenv import dotenv_values, find_dotenv

from foundry_workshop.errors import ConfigurationError, UnknownBackendError

BACKENDS = ("bundled", "foundry", "endpoint", "mock", "azure")

#: Setting name -> environment variable that sets it. Documented in docs/backends-and-variables.md.
ENV_VARS: dict[str, str] = {
    "backend": "WORKSHOP_BACKEND",
    "model": "WORKSHOP_MODEL",
    "endpoint": "FOUNDRY_LOCAL_ENDPOINT",
    "api_key": "OPENAI_API_KEY",
    "port": "WORKSHOP_PORT",
    "timeout": "WORKSHOP_TIMEOUT",
    "foundry_cache_dir": "WORKSHOP_FOUNDRY_CACHE",
    # Lessons' exercises: True runs the reference solutions from notebooks/solutions (make run, nbval).
    "solutions": "WORKSHOP_SOLUTIONS",
    "context_size": "WORKSHOP_CONTEXT_SIZE",
    "threads": "WORKSHOP_THREADS",
    # The cloud side (backend "azure"): names as in Microsoft's Azure AI Foundry documentation and samples.
    "azure_inference_endpoint": "AZURE_INFERENCE_ENDPOINT",
    "azure_openai_endpoint": "AZURE_OPENAI_ENDPOINT",
    "azure_api_key": "AZURE_INFERENCE_CREDENTIAL",
    "azure_api_version": "AZURE_OPENAI_API_VERSION",
    "azure_deployment": "AZURE_AI_MODEL_DEPLOYMENT_NAME",
}

DEFAULT_MODEL = "smollm2-135m-instruct"


@dataclass(frozen=True)
class Settings:
    """Everything a backend needs to know. Build it with :func:`resolve`, not by hand."""

    backend: str = "bundled"
    #: An alias (``qwen2.5-0.5b``) or a full model id (``qwen2.5-0.5b-instruct-generic-cpu:4``).
    model: str = DEFAULT_MODEL
    #: Base URL of an OpenAI-compatible server, with or without ``/v1`` (endpoint and mock backends).
    endpoint: str | None = None
    #: Never shown: excluded from ``repr`` so a settings object can be printed safely.
    api_key: str | None = field(default=None, repr=False)
    #: Port for servers the package starts itself (bundled, foundry, mock); 0 picks a free port.
    port: int = 0
    #: Seconds before a request to the model gives up.
    timeout: float = 120.0
    #: Where the Foundry Local SDK keeps downloaded models (None: the SDK's default).
    foundry_cache_dir: str | None = None
    #: Exercises use the reference solutions instead of the learner's code (``foundry_workshop.exercises``).
    solutions: bool = False
    #: Tokens one request may use (prompt + answer) on the bundled llama.cpp server; a longer prompt is
    #: refused with HTTP 400. SmolLM2-135M was trained for 8192; more context costs memory (~1 MB/100 tokens).
    context_size: int = 2048
    #: CPU threads of the bundled llama.cpp server; 0 = :func:`default_threads`. Measured on 2 cores with
    #: SmolLM2: 2 threads beside one busy process answer 2x slower than 1 thread, beside four ~40x slower
    #: (llama.cpp's threads wait for each other at every step, so one descheduled thread stalls them all).
    threads: int = 0
    #: Azure AI inference endpoint, ``https://<resource>.services.ai.azure.com/models`` (backend azure).
    azure_inference_endpoint: str | None = None
    #: Azure OpenAI endpoint, ``https://<resource>.openai.azure.com`` or the Foundry resource root.
    azure_openai_endpoint: str | None = None
    #: Key of the Azure resource; unset means keyless (Microsoft Entra ID via DefaultAzureCredential).
    azure_api_key: str | None = field(default=None, repr=False)
    #: ``"v1"``: Azure OpenAI's GA v1 API through ``openai.OpenAI``; a dated version (``"2024-10-21"``, the
    #: seed's) uses ``openai.AzureOpenAI(api_version=...)``. Source and date: docs/facts.md.
    azure_api_version: str = "v1"
    #: Deployment the azure backend calls when no ``model`` is given (explicitly or by WORKSHOP_MODEL). A GA model
    #: on Learn's retirement schedule as of 2026-12-01 (gpt-4o-mini retired 2026-10-01): docs/facts.md.
    azure_deployment: str = "gpt-5.4-mini"


def boolean(raw: str) -> bool:
    """``1/true/yes/on`` -> True, ``0/false/no/off`` (or empty) -> False, anything else is an error."""
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("", "0", "false", "no", "off"):
        return False
    raise ValueError(raw)


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "port": int, "timeout": float, "solutions": boolean, "context_size": int, "threads": int,
}
_SECRETS = ("api_key", "azure_api_key")
_DEFAULTS = Settings()


def _dotenv() -> Mapping[str, str | None]:
    # Looked up on every call, from the working directory upwards (nbval runs a notebook in notebooks/,
    # papermill in the caller's directory), so a .env created while a kernel runs is seen at once.
    # WORKSHOP_DOTENV=0 turns it off: the test suite must not pick up a learner's real endpoints and keys.
    if os.environ.get("WORKSHOP_DOTENV") == "0":
        return {}
    path = find_dotenv(usecwd=True)
    return dotenv_values(path) if path else {}


def _convert(name: str, raw: Any, source: str) -> Any:
    convert = _CONVERTERS.get(name)
    if convert is None or not isinstance(raw, str):
        return raw
    try:
        return convert(raw)
    except ValueError:
        kind = {"int": "whole number", "float": "number", "boolean": "boolean (1/0, true/false, yes/no, on/off)"}
        expected = kind.get(convert.__name__, convert.__name__)
        raise ConfigurationError(f"{source} must be a {expected}, got {raw!r}.") from None


def from_env(name: str) -> Any:
    """Value of setting ``name`` from the environment, then ``.env``, then the default.

    Meant for notebook ``parameters`` cells: ``MODEL = from_env("model")``.
    """
    if name not in ENV_VARS:
        raise ConfigurationError(f"Unknown setting {name!r}. Settings: {', '.join(ENV_VARS)}.")
    var = ENV_VARS[name]
    raw = env_value(var)
    return getattr(_DEFAULTS, name) if raw is None else _convert(name, raw, f"Environment variable {var}")


def env_value(var: str, *, empty_is_unset: bool = True) -> str | None:
    """Raw value of variable ``var``: the environment, else ``.env``; None when unset.

    The one lookup behind every setting, also for variables outside :data:`ENV_VARS` (``BENCH_ROUNDS``,
    the chat app's ``MODEL``), so nothing else reads ``.env`` on its own. An empty value counts as unset
    unless ``empty_is_unset=False`` (for variables where empty means "none", like ``BENCH_CONCURRENCY=``).
    """
    for raw in (os.environ.get(var), _dotenv().get(var)):
        if raw is not None and (raw != "" or not empty_is_unset):
            return raw
    return None


def resolve(**explicit: Any) -> Settings:
    """Settings from explicit values (``None`` means "not given") over the environment over defaults."""
    unknown = set(explicit) - {f.name for f in fields(Settings)}
    if unknown:
        raise ConfigurationError(
            f"Unknown setting(s) {', '.join(sorted(unknown))}. Settings: {', '.join(ENV_VARS)}."
        )
    values = {}
    for f in fields(Settings):
        given = explicit.get(f.name)
        values[f.name] = (
            _convert(f.name, given, f"Setting {f.name}") if given not in (None, "") else from_env(f.name)
        )
    if values["threads"] < 0:
        raise ConfigurationError(f"WORKSHOP_THREADS must be 0 (half the CPUs, 1 to 4) or a number of threads, "
                                 f"got {values['threads']}.")
    values["backend"] = str(values["backend"]).strip().lower()
    if values["backend"] not in BACKENDS:
        raise UnknownBackendError(values["backend"], BACKENDS)
    if values["backend"] == "azure" and explicit.get("model") in (None, "") and env_value(ENV_VARS["model"]) is None:
        # Nobody asked for a model: the cloud's is the deployment setting, not the local course default.
        # A model that was asked for is used as given, even when it is spelled like the local default.
        values["model"] = values["azure_deployment"]
    return Settings(**values)


def describe(settings: Settings) -> dict[str, str]:
    """A printable view of the settings: the key is reported as set or not, never shown."""
    view = {f.name: str(getattr(settings, f.name)) for f in fields(Settings) if f.name not in _SECRETS}
    for name in _SECRETS:
        view[name] = "set" if getattr(settings, name) else "not set"
    return view


def default_threads() -> int:
    """Half the logical CPUs, 1 to 4: llama.cpp's own default is the physical cores, and leaving the rest
    free keeps the notebook kernel, a browser or a test runner from stalling every token (see ``threads``)."""
    return max(1, min(4, (os.cpu_count() or 2) // 2))


def course_dir() -> Path | None:
    """The course checkout the working directory is in: the nearest folder, from the working directory
    upwards, that holds both ``notebooks/`` and ``samples/`` (nbval runs lessons in ``notebooks/``, ``make``
    in the root). None outside a checkout. Found from where the learner works, never from where the package
    is installed, so an installed (non-editable) package behaves the same."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "notebooks").is_dir() and (folder / "samples").is_dir():
            return folder
    return None


def build_dir() -> Path:
    """Where generated files go: ``WORKSHOP_BUILD_DIR``, else ``build/`` in the course checkout (see
    :func:`course_dir`), else ``build/`` in the working directory."""
    configured = env_value("WORKSHOP_BUILD_DIR")
    if configured:
        return Path(configured)
    return (course_dir() or Path.cwd()) / "build"
