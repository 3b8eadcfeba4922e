# ruff: noqa: F811 - pytest fixtures imported from test_services are redefined as parameters
"""Exports: the matrix as CSV and XLSX, the framework as a REFI-QDA codebook."""

from __future__ import annotations

import io
from xml.etree import ElementTree as ET

import pytest

from regiotafel.plans import exports, results
from tests.plans.test_services import framework, inline, plan, strongest  # noqa: F401

pytestmark = pytest.mark.integration

NS = {"q": exports.QDC_NAMESPACE}


def test_the_matrix_csv_has_a_row_per_region_and_indicator(plan):
    m = results.matrix(framework=plan.framework)
    lines = exports.matrix_csv(m).splitlines()
    assert lines[0].split(";")[:3] == ["regio", "categorie", "indicator"]
    assert len(lines) == 1 + 30
    best = strongest(plan)[0]
    row = next(line.split(";") for line in lines if f";{best.indicator.code};" in line)
    assert row[4] == best.decision and row[6] == ""


def test_the_matrix_xlsx_holds_the_matrix_and_the_category_rollup(plan):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(exports.matrix_xlsx(results.matrix(framework=plan.framework))))
    assert book.sheetnames == ["Matrix", "Per categorie"]
    assert book["Matrix"].max_row == 31
    assert book["Per categorie"].max_row == 1 + 8


def test_the_codebook_is_refi_qda_with_categories_holding_codable_indicators(framework):
    root = ET.fromstring(exports.codebook_qdc(framework))  # noqa: S314 - our own output
    assert root.tag == f"{{{exports.QDC_NAMESPACE}}}CodeBook"
    categories = root.findall("q:Codes/q:Code", NS)
    assert len(categories) == 8
    assert {c.get("isCodable") for c in categories} == {"false"}
    indicators = root.findall("q:Codes/q:Code/q:Code", NS)
    assert len(indicators) == 30
    assert {i.get("isCodable") for i in indicators} == {"true"}
    prev = next(i for i in indicators if i.get("name").startswith("PREV-3 "))
    assert prev.find("q:Description", NS).text.startswith(
        framework.indicators.get(code="PREV-3").question
    )
    guids = [c.get("guid") for c in root.iter(f"{{{exports.QDC_NAMESPACE}}}Code")]
    assert len(set(guids)) == 38
    assert all(c.get("color").startswith("#") and len(c.get("color")) == 7 for c in categories)


def test_the_codebook_guids_are_stable_between_exports(framework):
    assert exports.codebook_qdc(framework) == exports.codebook_qdc(framework)
