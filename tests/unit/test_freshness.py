"""`svw run` skips the rebuild only when the current publication was made from exactly these inputs."""

import shutil
from dataclasses import replace

from ingestion.settings import load_settings
from orchestration import freshness
from tests.conftest import PROJECT_ROOT


def _settings(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    settings = replace(
        load_settings(),
        config_dir=config,
        raw_dir=tmp_path / "raw",
        work_dir=tmp_path / "work",
        published_dir=tmp_path / "published",
    )
    release = settings.releases_dir / "pub-1"
    release.mkdir(parents=True)
    settings.current_dir.symlink_to(release)
    return settings


def test_unchanged_inputs_skip_and_any_change_rebuilds(tmp_path):
    settings = _settings(tmp_path)
    assert freshness.unchanged_since_publication(settings) is None, "no record yet: rebuild"
    freshness.record_publication(settings)
    assert freshness.unchanged_since_publication(settings) == "pub-1"

    rules = settings.config_dir / "rules.yml"
    rules.write_text(rules.read_text() + "\n# edited\n")
    assert freshness.unchanged_since_publication(settings) is None, "a configuration change must rebuild"
    freshness.record_publication(settings)

    (settings.raw_dir).mkdir(exist_ok=True)
    (settings.raw_dir / "_withdrawals.jsonl").write_text('{"period": "2019-04"}\n')
    assert freshness.unchanged_since_publication(settings) is None, "a withdrawal must rebuild"
    freshness.record_publication(settings)

    other = settings.releases_dir / "pub-2"  # published by another route (the Dagster UI)
    other.mkdir()
    settings.current_dir.unlink()
    settings.current_dir.symlink_to(other)
    assert freshness.unchanged_since_publication(settings) is None


def test_other_folders_are_other_inputs(tmp_path):
    settings = _settings(tmp_path)
    freshness.record_publication(settings)
    moved = replace(settings, landing_dir=tmp_path / "another_landing_zone")
    assert freshness.unchanged_since_publication(moved) is None
