"""Writing a test's input file, shared by the tests and the hostile-input suite."""

from __future__ import annotations

from pathlib import Path


def write(folder: Path, name: str, text: str | bytes) -> Path:
    """A test's input file: text as UTF-8, bytes as they are."""
    path = folder / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path
