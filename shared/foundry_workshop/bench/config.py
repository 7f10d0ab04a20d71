"""What a benchmark run measures: the prompt set, the models, and the knobs (rounds, warm-up, concurrency...).

Values come from explicit arguments (CLI flags, notebook parameters) over ``BENCH_*`` environment variables
(or a ``.env`` file) over defaults, the same order as :mod:`foundry_workshop.settings`. The seed's script
read ``BENCH_MODELS``, ``BENCH_ROUNDS`` and ``BENCH_STREAM``; they keep their meaning here.

Prompt sets and models files are JSON, so a team can keep them under version control next to the results:

* ``prompts.json``: ``[{"id": "rag", "prompt": "...", "expect": [["retriev", "search"], "generat"]}]``, or
  the seed's plain list of strings. ``expect`` is the quality rubric: each entry is one aspect a good answer
  covers, given as a keyword or a list of alternative keywords (see :mod:`.quality`).
* ``models.json``: ``{"qwen2.5-0.5b": {"capabilities": ["chat"], "license": "Apache-2.0", "notes": "..."}}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from foundry_workshop.errors import ConfigurationError
from foundry_workshop.settings import env_value

#: Environment variable -> what it sets. Documented in docs/benchmarking.md.
BENCH_ENV: dict[str, str] = {
    "BENCH_MODELS": "comma-separated model aliases or ids (default: every model the backend offers)",
    "BENCH_ROUNDS": "measured rounds per prompt (default 3)",
    "BENCH_WARMUP": "warm-up rounds per model, excluded from statistics (default 1)",
    "BENCH_STREAM": "1 streams (TTFT and decode rate measurable), 0 does not (default 1)",
    "BENCH_MAX_TOKENS": "max_tokens per request (default 128)",
    "BENCH_CONCURRENCY": "comma-separated parallel-request levels for the sweep, empty for none (default 1,2,4)",
    "BENCH_PROMPTS": "path of a prompts.json (default: the seed's prompt set)",
    "BENCH_MODELS_FILE": "path of a models.json whose aliases are the models to run",
}

#: Ways to rank models in reports: name -> (metric, statistic, higher is better).
RANKINGS: dict[str, tuple[str, str, bool]] = {
    "decode_tps": ("decode_tps", "mean", True),
    "ttft_p95": ("ttft_s", "p95", False),
    "latency_p95": ("latency_s", "p95", False),
    "quality": ("quality", "score", True),
}


@dataclass(frozen=True)
class Prompt:
    """One benchmark prompt and its quality rubric (aspects; each a tuple of alternative keywords)."""

    id: str
    text: str
    expect: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class ModelInfo:
    """What a models file says about a model: tags for later routing, license, notes, declared size."""

    alias: str
    capabilities: tuple[str, ...] = ()
    license: str = ""
    notes: str = ""
    #: Declared download size, used only when the size on disk cannot be measured.
    size_mb: float | None = None


@dataclass(frozen=True)
class BenchConfig:
    """Everything that defines a run. Build it with :func:`bench_config`, which reads the environment."""

    #: Aliases or ids to benchmark; None means every model the backend offers (see runner.available_models).
    models: tuple[str, ...] | None = None
    prompts: tuple[Prompt, ...] = ()
    rounds: int = 3
    warmup: int = 1
    max_tokens: int = 128
    #: 0 makes runs comparable between commits (the seed's "deterministic mode").
    temperature: float = 0.0
    #: Sent as ``seed`` so sampling is repeatable; dropped automatically for a server that rejects it.
    seed: int | None = 42
    stream: bool = True
    #: Parallel-request levels of the concurrency sweep; empty for none.
    concurrency: tuple[int, ...] = (1, 2, 4)
    #: Requests each parallel worker sends at every concurrency level.
    concurrency_requests: int = 2
    #: Seconds one request may take (and may stay silent) before it counts as failed.
    timeout: float = 120.0
    #: A model is abandoned after this many failed requests in a row; the run goes on with the next.
    max_consecutive_errors: int = 2
    #: Metadata (capabilities, license, notes) by alias; the package's models.json by default.
    model_info: Mapping[str, ModelInfo] = field(default_factory=dict)
    rank_by: str = "decode_tps"
    #: Connection settings (None: from the environment, as for ``connect()``).
    backend: str | None = None
    endpoint: str | None = None
    api_key: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for name in ("rounds", "max_tokens", "concurrency_requests", "max_consecutive_errors"):
            if getattr(self, name) < 1:
                raise ConfigurationError(f"Benchmark setting {name} must be at least 1, got {getattr(self, name)}.")
        if self.warmup < 0:
            raise ConfigurationError(f"Benchmark setting warmup must be 0 or more, got {self.warmup}.")
        if any(level < 1 for level in self.concurrency):
            raise ConfigurationError(f"Concurrency levels must be 1 or more, got {list(self.concurrency)}.")
        if self.timeout <= 0:
            raise ConfigurationError(f"Benchmark timeout must be positive, got {self.timeout}.")
        if self.rank_by not in RANKINGS:
            raise ConfigurationError(f"Unknown ranking {self.rank_by!r}. Choose one of: {', '.join(RANKINGS)}.")
        if not self.prompts:
            raise ConfigurationError("A benchmark needs at least one prompt.")

    def info(self, alias: str) -> ModelInfo:
        """Metadata for ``alias`` (an empty record when the models file does not mention it)."""
        return self.model_info.get(alias) or ModelInfo(alias)

    def describe(self) -> dict[str, Any]:
        """The run's settings for reports: everything but the key and the prompt texts."""
        hidden = {"api_key", "prompts", "model_info"}
        view = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in hidden}
        view["prompts"] = [p.id for p in self.prompts]
        view["api_key"] = "set" if self.api_key else "not set"
        return view


# -- files -------------------------------------------------------------------------------------------------
def _data_file(name: str) -> Path:
    return Path(str(resources.files("foundry_workshop.bench") / "data" / name))


def _read_json(path: str | Path, what: str) -> Any:
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(
            f"The {what} {path} does not exist. Check the path (relative to {Path.cwd()})."
        ) from None
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"The {what} {path} is not valid JSON: {exc}.") from None


def _aspect(value: Any, where: str) -> tuple[str, ...]:
    keywords = [value] if isinstance(value, str) else value
    if not isinstance(keywords, list) or not keywords or not all(isinstance(k, str) and k for k in keywords):
        raise ConfigurationError(f"{where}: each 'expect' entry must be a keyword or a list of keywords.")
    return tuple(k.lower() for k in keywords)


def _prompt(entry: Any, index: int) -> Prompt:
    if isinstance(entry, Prompt):
        return entry
    if isinstance(entry, str):  # the seed's format: a plain list of prompts
        return Prompt(id=f"p{index + 1}", text=entry)
    where = f"Prompt {index + 1}"
    if not isinstance(entry, Mapping) or not isinstance(entry.get("prompt"), str) or not entry["prompt"].strip():
        raise ConfigurationError(f'{where} needs a non-empty "prompt" string, got {entry!r}.')
    expect = entry.get("expect", [])
    if not isinstance(expect, list):
        raise ConfigurationError(f'{where}: "expect" must be a list of aspects.')
    return Prompt(
        id=str(entry.get("id") or f"p{index + 1}"),
        text=entry["prompt"],
        expect=tuple(_aspect(aspect, where) for aspect in expect),
    )


def load_prompts(source: str | Path | Iterable[Any] | None = None) -> tuple[Prompt, ...]:
    """A prompt set from a JSON file, a list (strings, dicts or :class:`Prompt`), or the default set.

    The default is the seed's four example prompts, each with a rubric of expected aspects.
    """
    if source is None:
        source = _data_file("prompts.json")
    raw = _read_json(source, "prompt set") if isinstance(source, str | Path) else list(source)
    if not isinstance(raw, list) or not raw:
        raise ConfigurationError("A prompt set must be a non-empty JSON list of prompts.")
    prompts = tuple(_prompt(entry, i) for i, entry in enumerate(raw))
    ids = [p.id for p in prompts]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigurationError(f"Prompt ids must be unique; repeated: {', '.join(duplicates)}.")
    return prompts


def load_models(source: str | Path | Mapping[str, Any] | Sequence[Any] | None = None) -> dict[str, ModelInfo]:
    """Model metadata by alias, from a models.json (a mapping alias -> record, or a list), or the default file."""
    if source is None:
        source = _data_file("models.json")
    raw = _read_json(source, "models file") if isinstance(source, str | Path) else source
    if isinstance(raw, Mapping):
        entries = [(alias, record) for alias, record in raw.items()]
    elif isinstance(raw, list):
        entries = [(e, {}) if isinstance(e, str) else (e.get("alias") if isinstance(e, Mapping) else None, e)
                   for e in raw]
    else:
        raise ConfigurationError("A models file must map aliases to records, or list aliases.")
    models: dict[str, ModelInfo] = {}
    for alias, record in entries:
        if not isinstance(alias, str) or not alias or not isinstance(record, Mapping):
            raise ConfigurationError(f"Models file entry {alias!r}: expected an alias with an object of details.")
        capabilities = record.get("capabilities", [])
        if not isinstance(capabilities, list) or not all(isinstance(c, str) for c in capabilities):
            raise ConfigurationError(f"Models file entry {alias!r}: 'capabilities' must be a list of strings.")
        size = record.get("size_mb")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int | float)):
            raise ConfigurationError(f"Models file entry {alias!r}: 'size_mb' must be a number.")
        models[alias] = ModelInfo(alias, tuple(capabilities), str(record.get("license", "")),
                                  str(record.get("notes", "")), size)
    return models



def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}.") from None


def _flag(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} must be 1 or 0 (true/false), got {raw!r}.")


def _names(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _levels(name: str, raw: str) -> tuple[int, ...]:
    return tuple(_int(name, part) for part in _names(raw) if part != "0")


def bench_config(**explicit: Any) -> BenchConfig:
    """A :class:`BenchConfig` from explicit values (None = not given) over ``BENCH_*`` variables over defaults.

    ``prompts`` may be a path, a list or None (the seed's set); ``models_file`` a path whose aliases become the
    models to run; ``model_info`` a path or mapping of metadata (default: the package's models.json).
    """
    known = {f.name for f in fields(BenchConfig)} | {"models_file"}
    unknown = sorted(set(explicit) - known)
    if unknown:
        raise ConfigurationError(
            f"Unknown benchmark setting(s) {', '.join(unknown)}. Settings: {', '.join(sorted(known))}."
        )
    given = {k: v for k, v in explicit.items() if v is not None}
    models_file = given.pop("models_file", None) or env_value("BENCH_MODELS_FILE")
    prompts = given.pop("prompts", None) or env_value("BENCH_PROMPTS")
    info_source = given.pop("model_info", None)

    from_env: dict[str, Any] = {}
    if (raw := env_value("BENCH_MODELS")) is not None:
        from_env["models"] = _names(raw)
    for var, name in (("BENCH_ROUNDS", "rounds"), ("BENCH_WARMUP", "warmup"), ("BENCH_MAX_TOKENS", "max_tokens")):
        if (raw := env_value(var)) is not None:
            from_env[name] = _int(var, raw)
    if (raw := env_value("BENCH_STREAM")) is not None:
        from_env["stream"] = _flag("BENCH_STREAM", raw)
    if (raw := env_value("BENCH_CONCURRENCY", empty_is_unset=False)) is not None:  # empty: no sweep
        from_env["concurrency"] = _levels("BENCH_CONCURRENCY", raw)

    model_info = load_models(info_source) if not isinstance(info_source, Mapping) else dict(info_source)
    if models_file:
        listed = load_models(models_file)
        model_info = {**model_info, **listed}
        from_env.setdefault("models", tuple(listed))
    values: dict[str, Any] = {**from_env, **given}
    if isinstance(values.get("models"), str):
        values["models"] = _names(values["models"])
    if values.get("models") is not None:
        values["models"] = tuple(values["models"]) or None
    if "concurrency" in values:
        values["concurrency"] = tuple(int(level) for level in values["concurrency"])
    return BenchConfig(prompts=load_prompts(prompts), model_info=model_info, **values)


def with_overrides(config: BenchConfig, **changes: Any) -> BenchConfig:
    """A copy of ``config`` with some settings changed (validated again)."""
    return replace(config, **changes)
