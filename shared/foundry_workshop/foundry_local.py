"""Foundry Local helpers for the lessons: is the public catalog reachable, and download with a progress bar.

The public face of what the ``foundry`` backend does internally, so lessons import from here rather than
reaching into ``foundry_workshop.backends``.
"""

from foundry_workshop.backends.foundry import CATALOG_HOST, catalog_reachable, download_with_progress

__all__ = ["CATALOG_HOST", "catalog_reachable", "download_with_progress"]
