"""Where the browser tests find Chromium: one lookup for every test that drives a browser.

Playwright drives a browser that is already installed (``playwright install`` downloads a build of its own,
which fails offline). ``CHROMIUM_PATH`` names it explicitly (CI sets it per OS); otherwise the usual names on
``PATH`` and the usual install folders of Chromium and Google Chrome are tried.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: Headless, and nothing that reaches the network on its own (offline workshop machines).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
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
