"""Great Expectations data docs (HTML) for one validated file, for partners to open and share.

The pipeline validates with an in-memory GX context; a partner's validation run also wants the
browsable GX report, which needs a file-backed context. The same suite is used in both.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ingestion.validate import ROW_ID, Expectation, ProgressBarsConfig, gx


def write_data_docs(frame: pd.DataFrame, expectations: list[Expectation], out_dir: Path, name: str) -> Path:
    """Validate `frame` with `expectations` in a file-backed GX project under out_dir and build its
    data docs; returns the path of the docs' index.html."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    out_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(out_dir))
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch_definition = (
        context.data_sources.add_or_update_pandas("partner_files")
        .add_dataframe_asset(name=safe)
        .add_batch_definition_whole_dataframe("file")
    )
    suite = gx.ExpectationSuite(name=f"{safe}_suite")
    for exp in expectations:
        config = exp.gx_expectation
        config.meta = {
            **(config.meta or {}),
            "check": exp.check,
            "severity": exp.severity,
            "reason": exp.reason,
            "fix": exp.fix,
        }
        suite.add_expectation(config)
    suite = context.suites.add_or_update(suite)
    validation = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=f"{safe}_validation", data=batch_definition, suite=suite)
    )
    result_format: dict[str, object] = {"result_format": "COMPLETE"}
    if ROW_ID in frame.columns:
        result_format["unexpected_index_column_names"] = [ROW_ID]
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=f"{safe}_checkpoint",
            validation_definitions=[validation],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")],
            result_format=result_format,
        )
    )
    checkpoint.run(batch_parameters={"dataframe": frame})
    return out_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
