"""The portfolio command does what the pages do, for scripted monthly reporting."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from regiotafel.portfolio.models import Project
from tests.portfolio.conftest import PHASES, PROJECTS

pytestmark = pytest.mark.integration


def run(*args) -> str:
    out = io.StringIO()
    call_command("portfolio", *args, stdout=out)
    return out.getvalue()


def test_a_fresh_install_imports_both_files_and_writes_the_report_in_every_format(db, tmp_path):
    assert "34 regio's" in run("importeer-fasen", str(PHASES), "--maak-regios")
    assert "318 nieuw" in run("importeer-projecten", str(PROJECTS))
    assert "52 nieuwe" in run(
        "importeer-fasetotalen", str(PHASES.parent / "regio_fasen_totalen.csv")
    )
    for fmt in ("csv", "html", "xlsx", "pdf"):
        target = tmp_path / f"rapport.{fmt}"
        run("rapport", "--peildatum", "2020-11-01", "--formaat", fmt, "--uit", str(target))
        assert target.stat().st_size > 1000
    text = (tmp_path / "rapport.csv").read_text(encoding="utf-8-sig")
    assert "Totaal;65;14;7;43;76;95;18;318" in text
    assert "Fase 4: Implementatiefase;16;21;27;32" in text  # table 1 with its history
    pdf_text = "".join(p.extract_text() for p in PdfReader(tmp_path / "rapport.pdf").pages)
    assert "Samenwerking in de keten 14 7 3 1 4 27 2 58" in pdf_text
    book = load_workbook(tmp_path / "rapport.xlsx")
    assert ("Ja, landelijk opschaalbaar", 43) in list(book["tabel-11"].iter_rows(values_only=True))


def test_on_a_fresh_install_the_phase_import_names_the_option_that_creates_the_regions(db):
    with pytest.raises(CommandError) as caught:
        run("importeer-fasen", str(PHASES))
    assert "--maak-regios" in str(caught.value)
    assert "rij 2, zorgkantoorregio: onbekende regio 'Zeeland'" in str(caught.value)
    assert "34 regio's" in run("importeer-fasen", str(PHASES), "--maak-regios")


def test_a_region_and_a_reference_date_can_be_given(regions):
    run("importeer-projecten", str(PROJECTS), "--regio", "Zeeland", "--peildatum", "2020-11-01")
    project = Project.objects.get(code="P001")
    assert project.region.name == "Zeeland"
    assert project.assessments.get().valid_from.isoformat() == "2020-11-01"


def test_a_broken_file_gives_one_dutch_error_per_row(regions, tmp_path):
    broken = tmp_path / "p.csv"
    text = PROJECTS.read_text(encoding="utf-8").replace("Technologie,", "Teknologie,", 1)
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run("importeer-projecten", str(broken))
    assert "er is niets ingelezen" in str(caught.value)
    assert "thema: onbekend thema 'Teknologie'" in str(caught.value)
    assert not Project.objects.exists()


def test_a_bad_date_is_refused_in_dutch(regions, tmp_path):
    with pytest.raises(CommandError, match="JJJJ-MM-DD"):
        run("rapport", "--peildatum", "1-11-2020", "--formaat", "csv", "--uit", str(tmp_path / "r"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exported_projects_read_in_again_change_nothing(shared_files, tmp_path, fmt):
    target = tmp_path / f"projecten.{fmt}"
    out = run(
        "exporteer-projecten", "--peildatum", "2020-11-01", "--formaat", fmt, "--uit", str(target)
    )
    assert "318 projecten" in out
    again = run("importeer-projecten", str(target), "--peildatum", "2020-10-01")
    assert "0 nieuw, 0 gewijzigd, 0 nieuwe beoordelingen" in again


def test_the_export_writes_the_official_wording_and_a_blank_state_before_the_first_assessment(
    shared_files, tmp_path
):
    target = tmp_path / "p.csv"
    run(
        "exporteer-projecten", "--peildatum", "2020-11-01", "--formaat", "csv", "--uit", str(target)
    )
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("id;naam;thema;concessiehouder;startperiode;status;impact")
    assert lines[1].startswith("P001;Transitieproject 001 (Samenwerking in de keten);")
    assert ";Lopend;Op kleine schaal met veel betekenis;" in lines[1]
    run(
        "exporteer-projecten", "--peildatum", "2019-01-01", "--formaat", "csv", "--uit", str(target)
    )
    first = target.read_text(encoding="utf-8-sig").splitlines()[1].split(";")
    assert first[5:10] == ["", "", "", "", ""]


def test_a_report_to_a_folder_that_does_not_exist_is_a_dutch_error(db, tmp_path):
    target = tmp_path / "bestaat-niet" / "r.csv"
    with pytest.raises(CommandError, match="Kan .*r.csv niet schrijven"):
        run("rapport", "--peildatum", "2020-11-01", "--formaat", "csv", "--uit", str(target))


def test_the_report_command_profiles_the_theme_it_is_given(shared_files, tmp_path):
    target = tmp_path / "r.csv"
    run("rapport", "--peildatum", "2020-11-01", "--formaat", "csv", "--uit", str(target),
        "--thema", "Anders werken")  # fmt: skip
    text = target.read_text(encoding="utf-8-sig")
    assert "Tabel 12. Ontwikkeling thema Anders werken: Impact" in text
