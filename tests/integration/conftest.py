"""Fixtures the integration tests share."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def raw_layer(published_sample, tmp_path) -> Path:
    """A copy of the published sample's raw layer, the test's to change."""
    raw = tmp_path / "raw"
    shutil.copytree(published_sample.raw, raw)
    return raw
