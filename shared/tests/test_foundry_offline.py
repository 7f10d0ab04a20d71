"""The foundry backend on a machine without network: a clear error, fast, instead of an empty list."""

from __future__ import annotations

import pytest

from foundry_workshop import CatalogUnavailableError, connect
from foundry_workshop.backends.foundry import catalog_reachable

pytest.importorskip("foundry_local_sdk")


@pytest.mark.skipif(catalog_reachable(), reason="the public catalog is reachable here; this tests offline")
def test_offline_catalog_is_explained_within_seconds(clean_env, tmp_path):
    with pytest.raises(CatalogUnavailableError) as info:
        connect(backend="foundry", model="qwen2.5-0.5b", foundry_cache_dir=str(tmp_path / "models"))
    message = str(info.value)
    assert "offline" in message and "qwen2.5-0.5b" in message
    assert "WORKSHOP_BACKEND=bundled" in message
