"""The statement's PDF, read back by a PDF checker (pikepdf, poppler's pdftotext): tagged (PDF/UA-1),
with its language and title, page numbers, a full first page, and table headers repeated on every
page a table runs onto. Reads the session's publication of the bundled samples."""

import re
import shutil
import subprocess

import duckdb
import pikepdf
import pytest

from publishing.statements import environment, statement_context, write_pdf

STEM = "stockport_2020-21_social_value_statement"


@pytest.fixture(scope="module")
def pdfs(published_sample):
    found = sorted((published_sample.published / "statements").glob("*.pdf"))
    assert len(found) >= 12 and len(found) == len(list(found[0].parent.glob("*.html")))
    return found


def _pages_text(path) -> list[str]:
    if not shutil.which("pdftotext"):
        pytest.fail("poppler-utils' pdftotext is needed: run `make browsers` (make test does)")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def _filled(path, page: int) -> float:
    """How far down the page its body text reaches (0-1), the footer in the bottom margin left out."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', out).group(1))
    bottoms = [float(y) for y in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)"', out)]
    return max(y for y in bottoms if y < height - 45) / height


def _structure_types(pdf: pikepdf.Pdf) -> set[str]:
    kinds, stack, seen = set(), [pdf.Root.StructTreeRoot], set()
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
            continue
        if not isinstance(node, pikepdf.Dictionary) or node.objgen in seen and node.objgen != (0, 0):
            continue
        seen.add(node.objgen)
        if "/S" in node:
            kinds.add(str(node.S))
        if "/K" in node:
            stack.append(node.K)
    return kinds


def test_every_pdf_is_tagged_pdf_ua_with_language_and_title(pdfs):
    for path in pdfs:
        with pikepdf.open(path) as pdf:
            assert pdf.Root.MarkInfo.Marked is True, path.name
            assert "/StructTreeRoot" in pdf.Root, path.name
            assert str(pdf.Root.Lang).lower().startswith("en"), path.name
            assert pdf.Root.ViewerPreferences.DisplayDocTitle is True, path.name
            meta = pdf.open_metadata()
            assert "Annual Social Value Statement" in str(meta.get("dc:title", "")), path.name
            assert str(meta.get("pdfuaid:part")) == "1", path.name  # the PDF/UA identification
            kinds = _structure_types(pdf)
            assert {"/H1", "/H2", "/Table", "/TH", "/THead"} <= kinds, (path.name, sorted(kinds))


def test_pages_are_numbered_and_page_one_is_full(pdfs):
    for path in pdfs:
        pages = _pages_text(path)
        assert len(pages) >= 2
        for number, page in enumerate(pages, start=1):
            assert f"Page {number} of {len(pages)}" in page, (path.name, number)
        assert _filled(path, 1) >= 0.75, path.name  # page 1 was half blank (sections kept whole)


def test_a_table_that_runs_on_repeats_its_header(published_sample, tmp_path):
    """Many red-rated contracts (the red table ran onto page 5 without its header): every page the
    table reaches starts with its header row."""
    with duckdb.connect(str(published_sample.published / "warehouse.duckdb"), read_only=True) as con:
        context = statement_context(con, "stockport", "2020/21")
    assert context["red"], "the sample has red-rated contracts"
    context["red"] = context["red"] * (1 + 120 // len(context["red"]))
    html = environment().get_template("statement.html.j2").render(**context)
    pages = _pages_text(write_pdf(html, tmp_path / f"{STEM}.pdf", tmp_path))
    red_pages = [p for p in pages if context["red"][0]["contract_ref"] in p and "Red-rated deliveries" not in p]
    assert len(red_pages) >= 2
    for page in red_pages:
        assert re.search(r"Contract\s+Supplier\s+Committed\s+Delivered\s+Of profile to date", page)


def test_the_rag_rule_and_coded_values_are_in_words(pdfs):
    text = "\n".join(_pages_text(next(p for p in pdfs if p.name == f"{STEM}.pdf")))
    assert "not_started" not in text and "sv_deliveries" not in text
    assert "How a contract is rated" in text and "Latest return" in text
