"""Shared fixtures: the built-in dataset, the region register and a CLI runner."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from click.testing import CliRunner

from kommunerapport.files import own_tempdir
from kommunerapport.model.regions import Register, load_register
from kommunerapport.model.schema import Dataset
from kommunerapport.sources.loading import load_builtin


@pytest.fixture(scope="session")
def register() -> Register:
    """The 15 counties and 357 municipalities shipped with the package."""
    return load_register()


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    """The built-in dataset: real sector figures plus the marked synthetic sample."""
    return load_builtin()


@pytest.fixture(scope="session")
def table(dataset: Dataset) -> pd.DataFrame:
    """The built-in dataset's tidy table (shared: do not modify it in a test)."""
    return dataset.table


@pytest.fixture
def runner() -> CliRunner:
    """Runs the CLI in-process; stdout and stderr are kept apart."""
    return CliRunner()


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """Tests never see a developer's own `kommunerapport fetch` cache."""
    monkeypatch.setenv("KOMMUNERAPPORT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="session", autouse=True)
def _own_tempdir() -> Iterator[None]:
    """The suite leaves the temp directory as it found it: every temporary of the test
    process (WeasyPrint's font copies, pytest's own folders) goes in one folder, removed
    at the end, as the console script does for a run (``files.own_tempdir``)."""
    with own_tempdir():
        yield
