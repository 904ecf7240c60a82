"""The Annual Social Value Statement: one self-contained HTML document (and its tagged, accessible
PDF/UA PDF) per partner and financial year. Its figures come only from the published warehouse, never
from working tables; its narrative, next year's actions and sign-off come from the partner's own
Markdown file (publishing/narrative.py), and a section the partner has not written is marked missing.

The sections follow the national template (../shared/docs/social-value-domain.md, "The Annual Social
Value Statement"): header with publication and review dates and sign-off, the narrative sections,
the KPI panel, charts (each with its figures as a table), the contracts behind the figures, the
sections capabilities add (publishing/sections) and the methodology and data-quality annex.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import duckdb
import jinja2

from ingestion.child_process import die_with_parent
from ingestion.registry import SHIPPED_CONFIG, load_rules
from publishing import labels
from publishing.charts import Chart, grouped_bars
from publishing.data_quality import annex
from publishing.declared import declared
from publishing.narrative import load_narrative, narrative_path
from publishing.sections import section_contexts

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class Statement:
    partner: str
    financial_year: str
    html_path: Path
    pdf_path: Path | None
    fingerprint: str = ""  # statement_fingerprint: the figures shown and the code that drew them
    rendered_in: str | None = None  # the publication it was drawn in (earlier when reused)
    reused: bool = False  # copied from the previous release: its figures had not changed


def _rows(con, sql: str, params=()) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _one(con, sql, params=()):
    rows = _rows(con, sql, params)
    return rows[0] if rows else None


def _num(value) -> float | None:
    return None if value is None else float(value)


# --- What the statement fetches: one query each, named for the figure it brings -----------------


def _partner(con, partner: str) -> dict | None:
    return _one(con, "select * from dim_partner where partner_code = ?", [partner])


def _years_with_local_spend(con, partner: str) -> list[str]:
    """The partner's years, oldest first: the statement's charts run over these."""
    rows = _rows(
        con, "select distinct financial_year from kpi_local_spend where reporting_unit = ? order by 1", [partner]
    )
    return [r["financial_year"] for r in rows]


def _kpi_row(con, table: str, unit: str, year: str | None) -> dict | None:
    """A published KPI's row for one reporting unit and year (none for no year). `table` is a
    published table's name (declared in the marts yml or named here), never text from a reader."""
    if not year:
        return None
    return _one(con, f"select * from {table} where reporting_unit = ? and financial_year = ?", [unit, year])


def _value_by_theme(con, partner: str, year: str) -> list[dict]:
    return _rows(
        con,
        "select theme, sum(committed_gbp) committed, sum(delivered_gbp) delivered "
        "from kpi_sv_by_theme where reporting_unit = ? and financial_year = ? group by 1 order by 2 desc",
        [partner, year],
    )


def _committed_by_gm_priority(con, partner: str, year: str) -> list[dict]:
    return _rows(
        con,
        "select gm_priority, sum(committed_gbp) committed from kpi_sv_by_theme "
        "where reporting_unit = ? and financial_year = ? group by 1 order by 2 desc",
        [partner, year],
    )


def _largest_contracts(con, partner: str, year: str) -> list[dict]:
    """The ten contracts awarded in the year with the largest social value commitments."""
    return _rows(
        con,
        "select contract_ref, title, supplier_name, committed_gbp, delivered_gbp, delivery_pct, "
        "rag_status from kpi_sv_delivery where reporting_unit = ? and financial_year = ? "
        "order by committed_gbp desc limit 10",
        [partner, year],
    )


def _red_rated_contracts(con, partner: str) -> list[dict]:
    """Every year's red-rated deliveries (largest 15): a red contract stays news until delivered."""
    return _rows(
        con,
        "select contract_ref, title, supplier_name, start_date, end_date, committed_gbp, delivered_gbp, "
        "delivery_pct, elapsed_pct, latest_return, as_of_date, "
        "round(100 * delivered_gbp / nullif(committed_gbp * elapsed_pct / 100, 0), 1) as profile_pct "
        "from kpi_sv_delivery where reporting_unit = ? and rag_status = 'red' "
        "order by committed_gbp desc limit 15",
        [partner],
    )


def _publication(con) -> dict | None:
    return _one(con, "select * from publication")


def _feeds_loaded(con, partner: str) -> list[dict]:
    """Per feed: the files behind the statement, the periods they cover and the rows they gave."""
    return _rows(
        con,
        "select feed, count(*) files, min(period) first_period, max(period) last_period, "
        "sum(rows_loaded) rows_loaded, sum(rows_quarantined) rows_quarantined "
        "from publication_feeds where partner_code = ? group by 1 order by 1",
        [partner],
    )


def _checks_passed_by_layer(con) -> list[dict]:
    return _rows(
        con,
        "select layer, count(*) checks, count(*) filter (where success) passed "
        "from publication_checks group by 1 order by 1",
    )


def _valuation_framework(con, partner: str, year: str) -> dict:
    """The framework the partner's social value was valued with, whether it is illustrative, and the
    editions that valued the year's commitments (the edition in force at each contract's award)."""
    framework = (
        _one(
            con,
            "select max(framework) framework, bool_or(framework_is_illustrative) illustrative "
            "from kpi_sv_secured where reporting_unit = ?",
            [partner],
        )
        or {}
    )
    editions = _rows(
        con,
        "select c.framework, c.framework_edition edition, count(*) commitments "
        "from fct_sv_commitment c join fct_contract k using (contract_id) "
        "where k.partner_code = ? and k.financial_year = ? and c.framework is not null "
        "group by 1, 2 order by 1, 2",
        [partner, year],
    )
    return {**framework, "editions": editions}


def _rag_counts(con, partner: str, year: str) -> list[dict]:
    """How many of the year's contracts are in each RAG status (labelled)."""
    rows = _rows(
        con,
        "select rag_status, count(*) contracts from kpi_sv_delivery "
        "where reporting_unit = ? and financial_year = ? group by 1",
        [partner, year],
    )
    order = list(labels.RAG)
    return sorted(
        ({"status": labels.rag(r["rag_status"]), "code": r["rag_status"], "contracts": r["contracts"]} for r in rows),
        key=lambda r: order.index(r["code"]) if r["code"] in order else len(order),
    )


# --- How the fetched figures become the statement ------------------------------------------------


def _headline_figure(
    now: dict | None, before: dict | None, label, column, unit, note="", display=None, known=None, note_column=None
) -> dict:
    return {
        "label": label,
        "unit": unit,
        "note": now[note_column] if now and note_column else note,
        "value": _num(now[column]) if now else None,
        "previous": _num(before[column]) if before else None,
        # the mart's own words for the figure ("not yet known (…% of spend located)"), so the
        # statement never decides for itself whether a share is a measurement
        "text": now[display] if now and display else None,
        "previous_text": before[display] if before and display else None,
        "known": bool(now[known]) if now and known else True,
        "partial_year_note": now.get("partial_year_note") if now and now.get("is_partial_year") else None,
        "previous_partial": bool(before and before.get("is_partial_year")),
        # a figure below its coverage threshold carries its caveat beside it
        "provisional_reason": now.get("provisional_reason") if now and now.get("is_provisional") else None,
    }


def _headline(con, partner: str, year: str, previous: str | None) -> list[dict]:
    """The headline figures are declared with their tables (marts yml, meta.published.statement); a
    figure stated only under a flag (stated_only_when) shows the mart's words where the flag is false."""
    headline = []
    for table, figure in declared().headline:
        flag, words = next(
            ((f, w) for c, f, w in declared().tables[table].stated_only_when if c == figure.column), (None, None)
        )
        headline.append(
            _headline_figure(
                _kpi_row(con, table, partner, year),
                _kpi_row(con, table, partner, previous),
                figure.label,
                figure.column,
                figure.unit,
                figure.note,
                display=words,
                known=flag,
                note_column=figure.note_column,
            )
        )
    return headline


def _local_share_chart(years: list[str], local: dict) -> Chart:
    known = {fy: bool(local[fy] and local[fy]["shares_known"]) for fy in years}
    return grouped_bars(
        "Local share of in-scope spend, by financial year",
        [f"{fy} (part)" if local[fy]["is_partial_year"] else fy for fy in years],
        {
            "Home borough": [_num(local[fy]["home_share_pct"]) if known[fy] else None for fy in years],
            "Greater Manchester": [_num(local[fy]["gm_share_pct"]) if known[fy] else None for fy in years],
        },
        "%",
        notes=[None if known[fy] else "not yet known" for fy in years],
        value_label="Share of in-scope spend",
    )


def _theme_chart(themes: list[dict]) -> Chart | None:
    if not themes:
        return None
    return grouped_bars(
        "Social value by theme (contracts awarded in the year)",
        [t["theme"] for t in themes],
        {
            "Committed": [_num(t["committed"]) for t in themes],
            "Delivered to date": [_num(t["delivered"]) for t in themes],
        },
        "£",
        horizontal=True,
        value_label="Social value",
    )


def _delivery_chart(years: list[str], delivery: dict) -> Chart | None:
    if not any(delivery[fy] for fy in years):
        return None  # no social value commitments loaded: the section's tables say so
    return grouped_bars(
        "Social value committed and delivered, by year of award",
        years,
        {
            "Committed": [_num(delivery[fy]["committed_gbp"]) if delivery[fy] else None for fy in years],
            "Delivered to date": [_num(delivery[fy]["delivered_gbp"]) if delivery[fy] else None for fy in years],
        },
        "£",
        value_label="Social value",
    )


SME_RATES = [
    ("SME bids", "sme_bids_pct"),
    ("VCSE bids", "vcse_bids_pct"),
    ("SME awards", "sme_awards_pct"),
    ("VCSE awards", "vcse_awards_pct"),
]


def _sme_chart(partner_name: str, mine: dict | None, gm: dict | None) -> Chart | None:
    if not mine:
        return None
    return grouped_bars(
        "SME and VCSE shares of bids and awards, against the GM average",
        [k for k, _ in SME_RATES],
        {
            partner_name: [_num(mine[c]) for _, c in SME_RATES],
            "GM average": [_num(gm[c]) if gm else None for _, c in SME_RATES],
        },
        "%",
        value_label="Share",
    )


def _rag_rule(rule_versions: dict, config_dir: Path) -> dict:
    """The RAG rule in words, with the ratios of the version the publication was made with (the
    config's values are used only when its version is the publication's: a changed value bumps it)."""
    version = rule_versions.get("social_value")
    rules = load_rules(config_dir)
    same = rules.social_value.version == version
    window_same = rules.coverage.version == rule_versions.get("coverage")
    return {
        "version": version,
        "red_pct": round(100 * rules.social_value.delivery_red_ratio) if same else None,
        "amber_pct": round(100 * rules.social_value.delivery_amber_ratio) if same else None,
        "return_window_months": rules.coverage.delivery_return_window_months if window_same else None,
    }


def _months_before(day: date, months: int) -> date:
    month = day.month - months
    year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


def _mark_not_yet_due(red: list[dict], window_months: int | None) -> list[dict]:
    """A red contract that started within the coverage rule's return window is not yet due a return
    (kpi_sv_delivery_summary's definition): its red is the rule applied to no evidence, said beside it."""
    marked = []
    for c in red:
        due_from = _months_before(c["as_of_date"], window_months) if window_months and c["as_of_date"] else None
        marked.append({**c, "not_yet_due": bool(due_from and c["start_date"] and c["start_date"] > due_from)})
    return marked


def _long_date(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value.day} {value:%B %Y}"


def _dates(publication: dict | None, sign_off: dict) -> dict:
    """Publication date (the warehouse publication's), review date (the partner's, else a year on)."""
    published = publication["published_at"] if publication else None
    published_day = published.date() if isinstance(published, datetime) else published
    review = sign_off.get("review_on")
    review_is_default = review is None and isinstance(published_day, date)
    if review is None and isinstance(published_day, date):
        try:
            review = published_day.replace(year=published_day.year + 1)
        except ValueError:  # 29 February
            review = published_day.replace(year=published_day.year + 1, day=28)
    return {
        "published": _long_date(published_day),
        "review": _long_date(review),
        "review_is_default": review_is_default,
        "signed_off_on": _long_date(sign_off.get("signed_off_on")),
    }


def statement_context(con, partner: str, year: str, config_dir: Path = SHIPPED_CONFIG) -> dict:
    """Everything the template shows for one partner-year; the rules and narratives are read from
    `config_dir` (the run's, handed down from its settings)."""
    narratives_dir = config_dir / "narratives"
    partner_row = _partner(con, partner)
    partner_name = partner_row["partner_name"] if partner_row else partner
    years = _years_with_local_spend(con, partner)
    previous = years[years.index(year) - 1] if year in years and years.index(year) > 0 else None
    local = {fy: _kpi_row(con, "kpi_local_spend", partner, fy) for fy in years}
    delivery = {fy: _kpi_row(con, "kpi_sv_delivery_summary", partner, fy) for fy in years}
    charts = [
        _local_share_chart(years, local),
        _theme_chart(_value_by_theme(con, partner, year)),
        _delivery_chart(years, delivery),
        _sme_chart(
            partner_name, _kpi_row(con, "kpi_sme_vcse", partner, year), _kpi_row(con, "kpi_sme_vcse", "GM", year)
        ),
    ]
    publication = _publication(con)
    rule_versions = json.loads(publication["rule_versions"]) if publication else {}
    now_local = local.get(year)
    now_delivery = delivery.get(year)
    coverage = {
        "located_spend_pct": _num(now_local["located_spend_pct"]) if now_local else None,
        "unknown_location_spend_gbp": _num(now_local["unknown_location_spend_gbp"]) if now_local else None,
        "in_scope_spend_gbp": _num(now_local["in_scope_spend_gbp"]) if now_local else None,
        "recent_return_pct": _num(now_delivery["recent_return_pct"]) if now_delivery else None,
        "contracts_due_return": now_delivery["contracts_due_return"] if now_delivery else None,
    }
    weighting = _kpi_row(con, "kpi_sv_evaluation_weighting", partner, year) or {}
    secured = _kpi_row(con, "kpi_sv_secured", partner, year) or {}
    thresholds = {
        "Local spend (a supplier's net spend in the year)": _num(now_local["threshold_gbp"]) if now_local else None,
        "Social value weighting (contract value)": _num(weighting.get("threshold_gbp")),
        "Social value secured (contract value)": _num(secured.get("threshold_gbp")),
    }
    narrative = load_narrative(narratives_dir, partner, year)
    rag_rule = _rag_rule(rule_versions, config_dir)
    largest = [{**c, "rag": labels.rag(c["rag_status"])} for c in _largest_contracts(con, partner, year)]
    return {
        "partner": partner_row or {"partner_code": partner, "partner_name": partner},
        "year": year,
        "previous": previous,
        "headline": _headline(con, partner, year, previous),
        "charts": [c for c in charts if c],
        "gm_priorities": _committed_by_gm_priority(con, partner, year),
        "largest": largest,
        "red": _mark_not_yet_due(_red_rated_contracts(con, partner), rag_rule["return_window_months"]),
        "rag_counts": _rag_counts(con, partner, year),
        "rag_rule": rag_rule,
        "feeds": [{**f, "name": labels.feed(f["feed"])} for f in _feeds_loaded(con, partner)],
        "checks": [{**c, "name": labels.layer(c["layer"])} for c in _checks_passed_by_layer(con)],
        "rules": {labels.rule(k): v for k, v in rule_versions.items()},
        "coverage_rule_version": rule_versions.get("coverage", "n/a"),
        "coverage": coverage,
        "framework": _valuation_framework(con, partner, year),
        "thresholds": thresholds,
        "publication": publication,
        "dates": _dates(publication, narrative.sign_off),
        "narrative": narrative,
        "narrative_file": narrative_path(Path("config/narratives"), partner, year).as_posix(),
        "generated_at": _long_date(datetime.now(UTC)),
        # a year with fewer than 12 months of spend says so in the title and beside the figures
        "local": now_local,
        "partial_year_note": now_local["partial_year_note"] if now_local and now_local["is_partial_year"] else None,
        "part_year_rule": labels.label(labels.PART_YEAR_THRESHOLD, now_local["part_year_threshold"])
        if now_local
        else None,
        "data_quality": annex(con, partner, year),  # quarantined rows and accepted exceptions
        "sections": section_contexts(con, partner, year),  # publishing/sections: one per capability
    }


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    env.filters["money"] = lambda v: (
        "–" if v is None else (f"£{float(v) / 1e6:,.2f}m" if abs(float(v)) >= 1e6 else f"£{float(v):,.0f}")
    )
    env.filters["pct"] = lambda v: "–" if v is None else f"{float(v):.1f}%"
    env.filters["pounds"] = lambda v: "–" if v is None else f"£{float(v):,.2f}"  # to the penny
    env.filters["day"] = lambda v: "–" if v is None else _long_date(v)
    env.filters["feed_name"] = labels.feed
    return env


def write_pdf(html: str, pdf_path: Path, base_url: Path) -> Path:
    """A tagged PDF/UA-1 document: structure tags from the HTML, its language and title in the
    metadata (public-sector accessibility regulations)."""
    from weasyprint import HTML

    HTML(string=html, base_url=str(base_url)).write_pdf(pdf_path, pdf_variant="pdf/ua-1")
    return pdf_path


# Context entries that belong to the run rather than to the partner-year's figures: the
# publication's id and date, the day the file was drawn and the GM-wide count of checks. A statement
# whose other entries are unchanged is the previous release's file, copied, and still names the
# publication its figures first appeared in (statements/index.json says which).
RUN_ENTRIES = ("generated_at", "publication", "dates", "checks")
# vl-convert numbers an SVG's colour gradients from a counter that runs on through the process, so the
# same map drawn twice differs only in these ids
_SVG_COUNTER_IDS = re.compile(r"gradient_\d+")
INDEX = "index.json"


def _plain(value):
    """JSON for what a statement context holds, the same for equal values in any process."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal | Path):
        return str(value)
    raise TypeError(f"statement context holds a {type(value).__name__}, which has no stable fingerprint")


@cache
def _code_digest() -> str:
    """Every file of publishing/ (code, templates, styles): a change to how a statement is drawn
    redraws them all."""
    digest = hashlib.sha256()
    root = Path(__file__).parent
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def statement_fingerprint(context: dict) -> str:
    """What a statement shows, less the run's own entries (RUN_ENTRIES), with the code that draws it."""
    figures = {k: v for k, v in context.items() if k not in RUN_ENTRIES}
    shown = _SVG_COUNTER_IDS.sub("gradient_", json.dumps(figures, sort_keys=True, default=_plain))
    digest = hashlib.sha256(_code_digest().encode())
    digest.update(shown.encode())
    return digest.hexdigest()


def _previous_index(previous_dir: Path | None) -> dict[str, dict]:
    """The statements of the release before this one, by file stem; none when it kept no index."""
    index = previous_dir / INDEX if previous_dir else None
    if index is None or not index.is_file():
        return {}
    return {entry["stem"]: entry for entry in json.loads(index.read_text(encoding="utf-8"))["statements"]}


def _draw(job: dict) -> dict:
    """One partner-year: its context from the published warehouse, then the previous release's file
    when the fingerprint is unchanged, else HTML and PDF drawn afresh. Runs in a worker process, so
    it opens its own read-only connection and takes and returns plain values."""
    out_dir, previous = Path(job["out_dir"]), job["previous"]
    stem = job["stem"]
    html_path, pdf_path = out_dir / f"{stem}.html", out_dir / f"{stem}.pdf"
    with duckdb.connect(job["warehouse"], read_only=True) as con:
        context = statement_context(con, job["partner"], job["year"], Path(job["config_dir"]))
    fingerprint = statement_fingerprint(context)
    if previous and previous["fingerprint"] == fingerprint and previous["with_pdf"] == job["with_pdf"]:
        old_dir = Path(job["previous_dir"])
        if (old_dir / f"{stem}.html").is_file() and (not job["with_pdf"] or (old_dir / f"{stem}.pdf").is_file()):
            shutil.copy2(old_dir / f"{stem}.html", html_path)
            if job["with_pdf"]:
                shutil.copy2(old_dir / f"{stem}.pdf", pdf_path)
            return {**_entry(job, fingerprint, previous["rendered_in"]), "reused": True}
    html = environment().get_template("statement.html.j2").render(**context)
    html_path.write_text(html, encoding="utf-8")
    if job["with_pdf"]:
        write_pdf(html, pdf_path, out_dir)
    rendered_in = context["publication"]["publication_id"] if context["publication"] else None
    return {**_entry(job, fingerprint, rendered_in), "reused": False}


def _entry(job: dict, fingerprint: str, rendered_in: str | None) -> dict:
    return {
        "stem": job["stem"],
        "partner": job["partner"],
        "financial_year": job["year"],
        "with_pdf": job["with_pdf"],
        "fingerprint": fingerprint,
        "rendered_in": rendered_in,
    }


def render_statements(
    published_warehouse: Path,
    out_dir: Path,
    with_pdf: bool = True,
    config_dir: Path = SHIPPED_CONFIG,
    previous_dir: Path | None = None,
    workers: int = 1,
) -> list[Statement]:
    """A statement per partner and year with local spend. Given the previous release's statements
    folder, a statement whose figures and code are unchanged is copied from it instead of drawn again;
    the rest are drawn in up to `workers` processes. statements/index.json lists each with its
    fingerprint and the publication it was drawn in."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(published_warehouse), read_only=True) as con:
        pairs = _rows(
            con,
            "select distinct reporting_unit, financial_year from kpi_local_spend "
            "where reporting_unit_type = 'partner' order by 1, 2",
        )
    previous = _previous_index(previous_dir)
    jobs = []
    for pair in pairs:
        partner, year = pair["reporting_unit"], pair["financial_year"]
        stem = f"{partner}_{year.replace('/', '-')}_social_value_statement"
        jobs.append(
            {
                "warehouse": str(published_warehouse),
                "out_dir": str(out_dir),
                "config_dir": str(config_dir),
                "previous_dir": str(previous_dir) if previous_dir else None,
                "previous": previous.get(stem),
                "partner": partner,
                "year": year,
                "stem": stem,
                "with_pdf": with_pdf,
            }
        )
    if workers > 1 and len(jobs) > 1:
        # spawn, not fork: the caller may hold DuckDB and Dagster threads, which a fork copies mid-state
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=min(workers, len(jobs)), mp_context=context, initializer=die_with_parent
        ) as pool:
            entries = list(pool.map(_draw, jobs))
    else:
        entries = [_draw(job) for job in jobs]
    partial = out_dir / f"{INDEX}.partial"
    partial.write_text(json.dumps({"statements": entries}, indent=2), encoding="utf-8")
    partial.replace(out_dir / INDEX)
    return [
        Statement(
            e["partner"],
            e["financial_year"],
            out_dir / f"{e['stem']}.html",
            out_dir / f"{e['stem']}.pdf" if with_pdf else None,
            e["fingerprint"],
            e["rendered_in"],
            e["reused"],
        )
        for e in entries
    ]
