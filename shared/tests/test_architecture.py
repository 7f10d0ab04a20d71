"""The package's architecture holds: no path arithmetic into the repository, one backend list, paths found
from the working directory or a documented setting (so an installed, non-editable package works too)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import foundry_workshop
from foundry_workshop.chat import chat_app_path
from foundry_workshop.settings import BACKENDS, build_dir, course_dir

PACKAGE = Path(foundry_workshop.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))


def _uses_file_parents(tree: ast.AST) -> bool:
    """``Path(__file__).parent``/``.parents[...]``/``.resolve().parents``: climbing out of the module's folder."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("parent", "parents") and any(
            isinstance(n, ast.Name) and n.id == "__file__" for n in ast.walk(node.value)
        ):
            return True
    return False


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_climbs_out_of_the_package_from_its_own_file(module):
    assert not _uses_file_parents(ast.parse(module.read_text(encoding="utf-8"))), (
        f"{module.name} finds files from __file__'s parents: pass the path in, or use a setting (docs/contributing.md)"
    )


def test_the_check_would_catch_the_old_launcher_line():
    assert _uses_file_parents(ast.parse('APP = Path(__file__).resolve().parents[3] / "samples"'))
    assert not _uses_file_parents(ast.parse('SCRIPT = Path(__file__).with_name("convert_gguf.py")'))


@pytest.mark.parametrize("name", BACKENDS)
def test_every_backend_in_the_one_list_has_its_module(name):
    module = importlib.import_module(f"foundry_workshop.backends.{name}")
    assert callable(getattr(module, f"open_{name}"))


def test_course_paths_are_found_from_the_working_directory(monkeypatch, tmp_path):
    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    (course / "samples" / "chainlit_app").mkdir(parents=True)
    monkeypatch.delenv("WORKSHOP_BUILD_DIR", raising=False)
    monkeypatch.delenv("WORKSHOP_CHAT_APP", raising=False)
    monkeypatch.setenv("WORKSHOP_DOTENV", "0")
    monkeypatch.chdir(course / "notebooks")  # where nbval runs a lesson
    assert course_dir() == course.resolve()
    assert build_dir() == course.resolve() / "build"
    assert chat_app_path() == course.resolve() / "samples" / "chainlit_app" / "app.py"
    monkeypatch.setenv("WORKSHOP_BUILD_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("WORKSHOP_CHAT_APP", str(tmp_path / "my_app.py"))
    assert build_dir() == tmp_path / "elsewhere"
    assert chat_app_path() == tmp_path / "my_app.py"
    monkeypatch.chdir(tmp_path)
    assert course_dir() is None
