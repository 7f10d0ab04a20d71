"""The headless, offline Chromium the lessons and every browser test drive with Playwright: one lookup.

An installed browser (Debian's ``chromium``, which ``make browser`` installs as root), never ``playwright
install``: it downloads a build of its own, which fails offline. ``CHROMIUM_PATH`` names one explicitly (CI sets
it per OS); otherwise the usual names on ``PATH`` and the usual install folders of Chromium and Google Chrome
are tried.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

#: Headless and quiet: no GPU (these machines have none), no background requests to Google services.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Everything that is not http://127.0.0.1 — a CDN, a model hub, localhost by name — is refused.
NOT_LOOPBACK = re.compile(r"^(?!http://127\.0\.0\.1[:/])")


_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
_FOLDERS = (
    "/usr/bin/chromium",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
)
INSTALL_HINT = ("install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`; macOS: `brew install --cask "
                "chromium`; Windows: Google Chrome) or set CHROMIUM_PATH to a Chromium or Chrome executable")


def find_chromium() -> Path | None:
    """The Chromium/Chrome executable to drive: ``CHROMIUM_PATH`` if set (even if wrong: the caller says so),
    else the first one found on ``PATH`` or in the usual install folders; None when there is none."""
    if explicit := os.environ.get("CHROMIUM_PATH"):
        return Path(explicit)
    for name in _NAMES:
        if found := shutil.which(name):
            return Path(found)
    return next((Path(p) for p in _FOLDERS if Path(p).is_file()), None)


def chromium_problem() -> str | None:
    """None when a browser is ready, else a sentence saying what is missing and how to fix it."""
    path = find_chromium()
    if path is None:
        return f"no Chromium found: {INSTALL_HINT}"
    if not path.is_file():
        return f"CHROMIUM_PATH={path} does not exist: {INSTALL_HINT}"
    return None


def chromium_path() -> Path:
    """The browser :func:`launch_chromium` starts: :func:`find_chromium`, else Debian's path (which then does not
    exist: check with :func:`chromium_problem` first for a message that says how to install one)."""
    return find_chromium() or Path("/usr/bin/chromium")


def launch_chromium(playwright: Any, **options: Any) -> Any:
    """``playwright.chromium.launch`` on the system Chromium (sync or async API: returns what launch returns)."""
    return playwright.chromium.launch(executable_path=str(chromium_path()), args=CHROMIUM_ARGS, **options)


def block_non_loopback(context: Any, refused: list[str] | None = None) -> Any:
    """Abort every request of ``context`` that leaves 127.0.0.1, recording its URL in ``refused``.

    Works with the sync API; with the async API, await the returned value.
    """
    def handler(route: Any) -> Any:
        if refused is not None:
            refused.append(route.request.url)
        return route.abort()

    return context.route(NOT_LOOPBACK, handler)
