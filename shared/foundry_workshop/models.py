"""Turning what a learner types (an alias) into what a server wants (a full model id).

Foundry Local lists ``Phi-4-mini-instruct-generic-cpu:5`` while learners and the seeds say ``phi-4-mini``;
Ollama lists ``llama3.2:1b`` for ``llama3.2``. Two sources of truth, in this order:

1. **The catalog, when the server has one.** The Foundry Local service (Windows/macOS) publishes its catalog at
   ``GET /foundry/list``: every variant with its ``alias`` (Learn, "Foundry Local REST API Reference",
   2026-06-15; the legacy SDK ``foundry_local/api.py`` reads it the same way). An alias then means exactly the
   variants the catalog files under it - nothing is guessed from names. (The SDK v2 web service exposes no
   catalog over HTTP - ``sdk_v2/cpp/src/service/models_handlers.cc`` serves ``/v1/models``,
   ``/models/loaded``, ``/models/load/{name}`` only - so for it the name rule below applies.)
2. **A name rule otherwise** (llama.cpp, Ollama, vLLM, the SDK v2 web service), case-insensitive: an alias
   matches an id whose name (the part before ``:tag``) equals it, optionally followed by ``-instruct`` and
   then a device suffix ``-<vendor>-<cpu|gpu|npu>``. So ``phi-4-mini`` finds ``Phi-4-mini-instruct-generic-cpu:5``
   and ``phi-4`` finds ``Phi-4-generic-cpu:2`` but never ``Phi-4-mini-*``.

Among the variants of one alias the order is Foundry Local's own (legacy SDK ``_get_catalog_dict``, SDK v2
``model.cc``): a variant the server reports as loaded; else npu < vendor gpu < cuda gpu < generic gpu <
vendor cpu < generic cpu, the first *cached* one winning; then the higher version. Input that names several
different models (``qwen2.5`` for two sizes, ``llama3.2`` for two Ollama tags) is refused with the candidates
listed, never settled by a silent pick.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

from foundry_workshop.errors import AmbiguousModelError, UnknownModelError

#: ``-instruct`` (optional) then a device suffix ``-<vendor>-<cpu|gpu|npu>`` (optional), nothing else.
_VARIANT_SUFFIX = re.compile(r"(?:-instruct)?(?:-(?P<vendor>[a-z0-9]+)-(?P<device>cpu|gpu|npu))?")
_DEVICE = re.compile(r"-(?P<vendor>[a-z0-9]+)-(?P<device>cpu|gpu|npu)$")


def _split(model_id: str) -> tuple[str, str]:
    """``name:tag`` -> (name, tag); tag is ``""`` when absent."""
    name, _, tag = model_id.partition(":")
    return name, tag


def _version(model_id: str) -> int:
    tag = _split(model_id)[1]
    return int(tag) if tag.isdigit() else -1


def device_rank(model_id: str) -> int:
    """Foundry Local's device preference: npu 0, vendor gpu 1, cuda gpu 2, generic gpu 3, vendor cpu 4,
    generic cpu 5; ids without a device suffix (llama.cpp, Ollama) rank after all of them."""
    match = _DEVICE.search(_split(model_id)[0].lower())
    if match is None:
        return 6
    vendor, device = match["vendor"], match["device"]
    if device == "npu":
        return 0
    if device == "gpu":
        return {"cuda": 2, "generic": 3}.get(vendor, 1)
    return 5 if vendor == "generic" else 4


def _family(model_id: str) -> str:
    """What distinguishes one model from another among an alias's matches: the name without its device
    suffix, plus a tag that is not a plain version (``llama3.2:1b`` vs ``llama3.2:3b``)."""
    name, tag = _split(model_id.lower())
    base = _DEVICE.sub("", name)
    return base if tag.isdigit() or not tag else f"{base}:{tag}"


def matches_alias(alias: str, model_id: str) -> bool:
    """The name rule: ``model_id`` is ``alias`` itself, a tag of it, or a variant of it (see module doc)."""
    alias, model_id = alias.strip().lower(), model_id.lower()
    if model_id == alias:
        return True
    name = _split(model_id)[0]
    if not name.startswith(alias):
        return False
    return _VARIANT_SUFFIX.fullmatch(name[len(alias):]) is not None


def _partial_matches(alias: str, available: Sequence[str]) -> list[str]:
    """Ids whose name merely starts with ``alias-`` (a longer family member): suggestions, never picks."""
    prefix = alias.strip().lower() + "-"
    return [m for m in available if _split(m.lower())[0].startswith(prefix)]


def order_variants(
    candidates: Sequence[str], loaded: Collection[str] = (), cached: Collection[str] | None = None
) -> list[str]:
    """``candidates`` best first: loaded, then cached (when known), then device rank, then higher version."""
    def key(model_id: str) -> tuple[bool, bool, int, int, str]:
        is_cached = True if cached is None else model_id in cached
        return (model_id not in loaded, not is_cached, device_rank(model_id), -_version(model_id), model_id)

    return sorted(candidates, key=key)


def resolve_model(
    requested: str,
    available: Sequence[str],
    where: str,
    *,
    catalog: Mapping[str, str] | None = None,
    loaded: Collection[str] = (),
    cached: Collection[str] | None = None,
) -> str:
    """The id in ``available`` that ``requested`` (an alias or an id) names.

    ``catalog`` maps variant id -> alias when the server publishes one (the Foundry Local service); ``loaded``
    and ``cached`` are the ids the server reports as loaded / downloaded. An exact id wins (case-insensitive
    when unique). Raises :class:`UnknownModelError` (or its subclass :class:`AmbiguousModelError`) listing what
    exists or the candidates.
    """
    if requested in available:
        return requested
    wanted = requested.strip().lower()
    same_id = [m for m in available if m.lower() == wanted]
    if len(same_id) == 1:
        return same_id[0]
    if catalog:
        candidates = [m for m in available if catalog.get(m, "").lower() == wanted]
    else:
        candidates = [m for m in available if matches_alias(wanted, m)]
    if not candidates:
        if catalog:  # suggest the catalog's aliases that continue the input: what `foundry model run` takes
            partial = sorted({a for m, a in catalog.items() if a.lower().startswith(wanted + "-")})
        else:
            partial = _partial_matches(wanted, available)
        if partial:
            raise AmbiguousModelError(requested, partial, where)
        raise UnknownModelError(requested, available, where)
    families = {_family(m) for m in candidates}
    if len(families) > 1 and not catalog:
        raise AmbiguousModelError(requested, candidates, where)
    return order_variants(candidates, loaded, cached)[0]
