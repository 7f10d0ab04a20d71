"""The headless, offline Chromium the lesson and the tests drive with Playwright.

The system browser (Debian's ``chromium``; ``make browser`` installs it as root), never ``playwright install``:
browser downloads are not possible offline. ``CHROMIUM_PATH`` points elsewhere (Chrome on macOS/Windows).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

#: Headless and quiet: no GPU (these machines have none), no background requests to Google services.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Everything that is not http://127.0.0.1 — a CDN, a model hub, localhost by name — is refused.
NOT_LOOPBACK = re.compile(r"^(?!http://127\.0\.0\.1[:/])")


def chromium_path() -> Path:
    return Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


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
