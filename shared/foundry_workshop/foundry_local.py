"""Foundry Local helpers for the lessons: is the public catalog reachable, download with a progress bar, and
the catalog set-up (``course_catalog``) for a lesson that initializes the SDK itself (lesson 01).

The public face of what the ``foundry`` backend does internally, so lessons import from here rather than
reaching into ``foundry_workshop.backends``.
"""

from foundry_workshop.backends.foundry import (
    CATALOG_HOST,
    CourseCatalog,
    catalog_reachable,
    course_catalog,
    download_with_progress,
)

__all__ = ["CATALOG_HOST", "CourseCatalog", "catalog_reachable", "course_catalog", "download_with_progress"]
