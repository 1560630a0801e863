"""Where fetched figures are kept, and whether a fetch has left any.

Its own module so that a report from the built-in data can ask without importing
the SSB client and its network modules (``ssb``), which a cold report has no use for.
"""

from __future__ import annotations

import os
from pathlib import Path

from kommunerapport.errors import UsageError


def cache_dir() -> Path:
    """The cache folder; a setting that names something other than a folder is an error.

    Said at once, for every command, rather than silently treated as «nothing fetched».
    """
    configured = os.environ.get("KOMMUNERAPPORT_CACHE_DIR")
    if configured:
        folder = Path(configured)
        where = f"KOMMUNERAPPORT_CACHE_DIR={configured}"
    else:
        import platformdirs

        folder = Path(platformdirs.user_cache_dir("kommunerapport", appauthor=False))
        where = f"hurtigbufferen {folder}"
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{where} er en fil, ikke en mappe; velg en mappe (den lages om "
                         "den ikke finnes).")
    return folder


def fetched_files(folder: Path | None = None) -> tuple[Path, Path] | None:
    """The tidy table and its description written by the last fetch, if any."""
    folder = folder or cache_dir()
    csv_path, meta_path = folder / "fetched.csv", folder / "fetched.json"
    if csv_path.exists() and meta_path.exists():
        return csv_path, meta_path
    return None
