"""Foundry Local through its SDK v2 (``foundry-local-sdk``, import ``foundry_local_sdk``).

The steps are the ones the lessons teach: initialize the manager, find the model in the catalog by alias,
download it (with a progress bar), load it, start the SDK's built-in OpenAI-compatible web service.
The SDK answers an unreachable catalog with an empty list after ~4 s of retries and ``None`` for every
alias; this module turns that into :class:`CatalogUnavailableError`, which says what to do.
"""

from __future__ import annotations

import concurrent.futures
import socket
import time
from typing import Any

from foundry_workshop.connection import PLACEHOLDER_KEY, Connection
from foundry_workshop.errors import (
    BackendUnavailableError,
    CatalogUnavailableError,
    PortInUseError,
    UnknownModelError,
)
from foundry_workshop.http_checks import free_port, port_is_free
from foundry_workshop.settings import Settings

APP_NAME = "foundry-workshop"
#: Host of the public Foundry Local catalog (the SDK's default ``catalog_urls``).
CATALOG_HOST = "api.catalog.azureml.ms"


def catalog_reachable(host: str = CATALOG_HOST, timeout: float = 2.0) -> bool:
    """A fast DNS + TCP probe of the catalog, so an offline machine is told so in seconds."""

    def probe() -> bool:
        with socket.create_connection((host, 443), timeout=timeout):
            return True

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(probe).result(timeout=timeout + 0.5)
    except (OSError, concurrent.futures.TimeoutError):
        return False
    finally:
        pool.shutdown(wait=False)


def _sdk() -> Any:
    try:
        import foundry_local_sdk
    except ImportError as exc:
        raise BackendUnavailableError(
            f"The Foundry Local SDK is not importable ({exc}). Install it with "
            "`pip install foundry-local-sdk` (it is in requirements.txt), or use WORKSHOP_BACKEND=bundled."
        ) from None
    return foundry_local_sdk


def manager(settings: Settings) -> Any:
    """The process-wide ``FoundryLocalManager``, initialized on first use (the SDK allows one)."""
    sdk = _sdk()
    if sdk.FoundryLocalManager.instance is None:
        port = settings.port or free_port()
        if settings.port and not port_is_free(port):
            raise PortInUseError(port)
        config = sdk.Configuration(
            app_name=APP_NAME,
            model_cache_dir=settings.foundry_cache_dir,
            log_level=sdk.LogLevel.ERROR,
            web=sdk.Configuration.WebService(urls=f"http://127.0.0.1:{port}"),
        )
        sdk.FoundryLocalManager.initialize(config)
    return sdk.FoundryLocalManager.instance


def find_model(mgr: Any, alias: str) -> Any:
    """The catalog model for ``alias`` (or a full variant id); clear errors when it cannot be found."""
    catalog = mgr.catalog
    if not catalog_reachable():
        # Offline: only models already in the cache can work. (This SDK call itself retries ~4 s.)
        for cached in catalog.get_cached_models():
            if alias in (cached.alias, cached.id):
                return cached
        raise CatalogUnavailableError(
            f"The Foundry Local catalog ({CATALOG_HOST}) cannot be reached - this machine looks offline - "
            f"and {alias!r} is not in the local model cache. Connect to the internet to download it, "
            "or use WORKSHOP_BACKEND=bundled, which runs a bundled model offline."
        )
    model = catalog.get_model(alias) or catalog.get_model_variant(alias)
    if model is None:
        aliases = sorted({m.alias for m in catalog.list_models()})
        if not aliases:
            raise CatalogUnavailableError(
                "The Foundry Local catalog answered with no models. Check your network or proxy, "
                "or use WORKSHOP_BACKEND=bundled."
            )
        raise UnknownModelError(alias, aliases, "the Foundry Local catalog")
    return model


def download_with_progress(model: Any) -> None:
    """Download ``model`` into the cache with a tqdm bar (a no-op when it is cached already)."""
    if model.is_cached:
        return
    from tqdm.auto import tqdm

    with tqdm(total=100.0, desc=f"download {model.id}", unit="%", bar_format="{l_bar}{bar}| {n:.0f}%") as bar:
        model.download(lambda pct: bar.update(max(0.0, pct - bar.n)))


def open_foundry(settings: Settings) -> Connection:
    mgr = manager(settings)
    model = find_model(mgr, settings.model)
    download_with_progress(model)
    started = time.monotonic()
    model.load()
    load_s = time.monotonic() - started
    if not mgr.urls:
        mgr.start_web_service()

    def stop() -> None:
        model.unload()
        if mgr.urls:
            mgr.stop_web_service()

    conn = Connection(
        backend="foundry", endpoint=mgr.urls[0].rstrip("/") + "/v1", model=model.id, alias=settings.model,
        api_key=settings.api_key or PLACEHOLDER_KEY, timeout=settings.timeout,
        details={"manager": mgr, "sdk_model": model, "load_seconds": load_s, "model_path": model.get_path()},
    )
    conn.on_close(stop)
    return conn
