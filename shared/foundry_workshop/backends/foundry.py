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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from foundry_workshop.byom.local_catalog import LocalCatalogServer, clear_sdk_catalog_cache, verify_served
from foundry_workshop.byom.store import Store
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


PUBLIC_CATALOG_URL = f"https://{CATALOG_HOST}/asset-gallery/v1.0/models"
BUILD_HINT = "`make foundry-model` builds the bundled SmolLM2 for Foundry Local, offline"


@dataclass
class CourseCatalog:
    """Where the SDK looks for models: the public catalog, and the course's own when `make foundry-model` ran.

    Pass :meth:`configuration` to ``foundry_local_sdk.Configuration(...)``; call :meth:`close` after the
    manager is closed (it stops the local catalog server).
    """

    catalog_urls: list[tuple[str, str | None]] | None
    model_cache_dir: str | None
    close: Callable[[], None]

    def configuration(self) -> dict[str, Any]:
        return {"catalog_urls": self.catalog_urls, "model_cache_dir": self.model_cache_dir}


def course_catalog(online: bool, cache_dir: str | None = None) -> CourseCatalog:
    """The catalog set-up of the ``foundry`` backend, for lessons that initialize the SDK themselves."""
    store = Store.default()
    if not store.built:
        return CourseCatalog(None, cache_dir, lambda: None)  # the SDK's default: the public catalog
    # Models built by `make foundry-model` come from a catalog served here (see byom.local_catalog).
    local = LocalCatalogServer(store.catalog_path).start()
    cache_dir = cache_dir or str(store.cache_dir)
    clear_sdk_catalog_cache(Path(cache_dir))
    urls: list[tuple[str, str | None]] = [(local.url, None)]
    if online:
        urls.append((PUBLIC_CATALOG_URL, None))
    return CourseCatalog(urls, cache_dir, local.stop)


def start_manager(settings: Settings, online: bool) -> tuple[Any, list[Callable[[], None]]]:
    """Initialize ``FoundryLocalManager`` for one connection; returns it and its clean-up steps.

    The SDK keeps one manager per process. Each connection initializes it and closes it again, so a later
    connection (another cache folder, another catalog) starts from a clean slate.
    """
    sdk = _sdk()
    if sdk.FoundryLocalManager.instance is not None:
        raise BackendUnavailableError(
            "Foundry Local is already initialized in this Python process (by an open connection or your own "
            "code). Close that connection first (conn.close()), or restart the kernel. To use a manager you "
            "started yourself, connect to its web service: connect(backend='endpoint', endpoint=manager.urls[0] "
            "+ '/v1')."
        )
    port = settings.port or free_port()
    if settings.port and not port_is_free(port):
        raise PortInUseError(port)
    catalog = course_catalog(online, settings.foundry_cache_dir)
    cleanups: list[Callable[[], None]] = [catalog.close]
    config = sdk.Configuration(
        app_name=APP_NAME,
        log_level=sdk.LogLevel.ERROR,
        web=sdk.Configuration.WebService(urls=f"http://127.0.0.1:{port}"),
        **catalog.configuration(),
    )
    try:
        sdk.FoundryLocalManager.initialize(config)
    except BaseException:
        catalog.close()  # the local catalog server must not outlive a failed start
        raise
    manager: Any = sdk.FoundryLocalManager.instance
    cleanups.insert(0, manager.close)  # closed first, then the catalog it was reading
    return manager, cleanups


def sdk_manager_still_open(mgr: Any) -> bool:
    return _sdk().FoundryLocalManager.instance is mgr


def find_model(mgr: Any, alias: str, online: bool) -> Any:
    """The catalog model for ``alias`` (or a full variant id); clear errors when it cannot be found."""
    catalog = mgr.catalog
    model = catalog.get_model(alias) or catalog.get_model_variant(alias)
    if model is not None:
        if not online and not model.is_cached:
            raise CatalogUnavailableError(
                f"{alias!r} is in the catalog but not downloaded, and this machine looks offline "
                f"({CATALOG_HOST} cannot be reached). Connect to download it once, or use WORKSHOP_BACKEND=bundled."
            )
        return model
    known = sorted({m.alias for m in catalog.list_models()})
    if not online:
        built = f" Offline it knows: {', '.join(known)}." if known else f" {BUILD_HINT}."
        raise CatalogUnavailableError(
            f"The Foundry Local catalog ({CATALOG_HOST}) cannot be reached - this machine looks offline - "
            f"and {alias!r} is not available locally.{built} Or use WORKSHOP_BACKEND=bundled, which runs a "
            "bundled model offline."
        )
    if not known:
        raise CatalogUnavailableError(
            "The Foundry Local catalog answered with no models. Check your network or proxy, "
            "or use WORKSHOP_BACKEND=bundled."
        )
    raise UnknownModelError(alias, known, "the Foundry Local catalog")


def download_with_progress(model: Any) -> None:
    """Download ``model`` into the cache with a tqdm bar (a no-op when it is cached already)."""
    if model.is_cached:
        return
    from tqdm.auto import tqdm

    with tqdm(total=100.0, desc=f"download {model.id}", unit="%", bar_format="{l_bar}{bar}| {n:.0f}%") as bar:
        model.download(lambda pct: bar.update(max(0.0, pct - bar.n)))


def open_foundry(settings: Settings) -> Connection:
    online = catalog_reachable()
    mgr, cleanups = start_manager(settings, online)

    def close_all() -> None:
        # Unloading fails while a learner's ChatSession is still open; closing the manager then releases
        # everything anyway, so one failed step must not stop the rest.
        errors = []
        for cleanup in cleanups:
            try:
                cleanup()
            except Exception as exc:
                errors.append(exc)
        if errors and sdk_manager_still_open(mgr):
            raise errors[0]

    try:
        model = find_model(mgr, settings.model, online)
        download_with_progress(model)
        started = time.monotonic()
        model.load()
        load_s = time.monotonic() - started
        cleanups.insert(0, model.unload)
        mgr.start_web_service()
        cleanups.insert(1, mgr.stop_web_service)
        endpoint = mgr.urls[0].rstrip("/") + "/v1"
        if model.id in Store.default().model_ids():
            verify_served(endpoint, model.id)  # a model from the local catalog: fail loudly if not served
    except BaseException:
        close_all()
        raise
    conn = Connection(
        backend="foundry", endpoint=endpoint, model=model.id, alias=settings.model,
        api_key=settings.api_key or PLACEHOLDER_KEY, timeout=settings.timeout,
        details={"manager": mgr, "sdk_model": model, "load_seconds": load_s, "model_path": model.get_path()},
    )
    conn.on_close(close_all)
    conn.checks.append(lambda: None if model.is_loaded else (
        f"{model.id} is not loaded, so chat requests answer 400 'Model not loaded'. Load it with "
        f"conn.details['sdk_model'].load(), or over HTTP: GET {conn.root_url}/models/load/{model.alias}"
    ))
    return conn
