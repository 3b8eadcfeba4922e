"""The portfolio pages and their JSON twins on the demo data (the shared files, the ZHN
agenda and KPIs, the Kennemerland vision map)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from regiotafel.portfolio import demo, services
from regiotafel.portfolio.models import AgendaKind, Project, RegionPhase

pytestmark = pytest.mark.integration


@pytest.fixture
def demo_data(cast, regions):
    demo.seed(region=cast.region, organisations={})
    return cast


def test_the_demo_seeder_is_idempotent(demo_data):
    counts = (Project.objects.count(), RegionPhase.objects.count())
    demo.seed(region=demo_data.region, organisations={})
    assert (Project.objects.count(), RegionPhase.objects.count()) == counts == (318, 34)


def test_the_coverage_answers_which_vision_elements_have_no_running_project(demo_data):
    kennemerland = demo_data.other_region
    gaps = services.uncovered(region=kennemerland)
    linked = {
        item.pk
        for p in Project.objects.filter(region=kennemerland, assessments__status="lopend")
        for item in p.agenda_items.all()
    }
    points = kennemerland.agenda_items.filter(kind=AgendaKind.VISIE_ELEMENT, parent__isnull=False)
    assert {i.pk for i in gaps} == {p.pk for p in points} - linked
    assert 0 < len(gaps) < points.count()


def test_the_report_page_and_its_downloads_show_the_same_numbers(demo_data, client):
    client.force_login(demo_data.planner)
    page = client.get("/portfolio/rapport/?peildatum=2020-11-01").content.decode()
    assert "Tabel 4. Verdeling transitieplannen over concessiehouders" in page
    csv_text = client.get("/portfolio/rapport.csv?peildatum=2020-11-01").content.decode("utf-8-sig")
    assert "Samenwerking in de keten;14;7;3;1;4;27;2;58" in csv_text
    book = load_workbook(
        io.BytesIO(client.get("/portfolio/rapport.xlsx?peildatum=2020-11-01").content)
    )
    rows = list(book["tabel-6"].iter_rows(values_only=True))
    assert ("Lopend", 244) in rows
    html = client.get("/portfolio/rapport.html?peildatum=2020-11-01").content.decode()
    assert "<caption>Tabel 11. Analyse opschaalbaarheid</caption>" in html


def test_the_report_compares_two_dates(demo_data, client):
    client.force_login(demo_data.analyst)
    body = client.get(
        "/api/v1/portfolio/rapport?peildatum=2021-03-31&vergelijk=2020-10-31&alleen_eigen_regio=true"
    ).json()
    status = next(t for t in body["tabellen"] if t["sleutel"] == "tabel-6")
    assert status["kolommen"][-1] == "Verschil"
    assert status["totaal"]["waarden"] == [12, 12, 0]


def test_the_api_lists_projects_with_their_state(demo_data, client):
    client.force_login(demo_data.planner)
    body = client.get("/api/v1/portfolio/projecten?peildatum=2020-11-01&limit=500").json()
    assert body["count"] == 318 - 10 - 6  # not Kennemerland's ten, Amstelland's six
    first = body["items"][0]
    assert first["status"] and first["beoordeeld_op"] == "2020-10-01"


def test_the_kpi_page_shows_a_chart_with_the_target_and_the_demo_marking(demo_data, client):
    client.force_login(demo_data.planner)
    page = client.get("/portfolio/kpis/").content.decode()
    assert "Personeelstekort zorg en welzijn" in page
    assert "streefwaarde 9,2 in 2026" in page and "demowaarde (verzonnen)" in page
    assert "streefwaarde 60 in 2027" in page and "6E+1" not in page
    assert '"separators":",."' in page  # the chart writes 9,2 and 1.000 too


def test_the_dashboard_shows_status_kpis_and_phases_and_the_analyst_home_links_it(
    demo_data, client
):
    client.force_login(demo_data.analyst)
    page = client.get(f"/portfolio/regio/{demo_data.region.slug}/").content.decode()
    assert "Projecten per status (12)" in page
    assert "Fase 3: Voorbereidingen getroffen" in page
    home = client.get("/").content.decode()
    assert f"/portfolio/regio/{demo_data.region.slug}/" in home
    assert "Gemeenten en inwoners" in home  # the foundation's panel is still there


def test_the_import_page_shows_errors_per_row(demo_data, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(demo_data.analyst)
    upload = SimpleUploadedFile(
        "f.csv",
        b"zorgkantoorregio,afspraken_convenanten,stip_op_de_horizon,samenwerkingsdynamiek\n"
        b"Zuid-Holland Noord,4,4,9\nKennemerland,4,5,4\n",
    )
    response = client.post("/portfolio/importeren/", {"soort": "fasen", "bestand": upload})
    assert response.status_code == 422
    page = response.content.decode()
    assert "samenwerkingsdynamiek" in page and "niet vastleggen" in page


def test_the_report_page_charts_the_change_between_two_dates(demo_data, client):
    client.force_login(demo_data.analyst)
    page = client.get(
        "/portfolio/rapport/?peildatum=2021-03-31&vergelijk=2020-10-31&reikwijdte=regio"
    ).content.decode()
    assert "Verandering van 31 oktober 2020 tot 31 maart 2021" in page
    assert '<th scope="col" class="num">Verschil</th>' in page


def test_the_dashboard_has_a_json_twin_for_members_of_the_region_only(demo_data, client):
    client.force_login(demo_data.planner)
    body = client.get(f"/api/v1/portfolio/regios/{demo_data.region.slug}/dashboard").json()
    assert body["projecten"] == 12 and sum(body["per_status"].values()) == 12
    staff = next(k for k in body["kpis"] if k["naam"] == "Personeelstekort zorg en welzijn")
    assert staff["streefwaarde"] == 9.2 and staff["metingen"][0] == {
        "datum": "2021-12-31",
        "waarde": 4.5,
        "demo": False,
    }
    assert body["fasen"][0]["stip_op_de_horizon"] == 3
    other = client.get(f"/api/v1/portfolio/regios/{demo_data.other_region.slug}/dashboard")
    assert other.status_code == 403


def test_the_project_list_downloads_as_an_import_file_with_only_what_the_user_may_see(
    demo_data, client
):
    client.force_login(demo_data.planner)
    response = client.get("/portfolio/projecten.xlsx?thema=&peildatum=2020-11-01")
    assert response["Content-Disposition"].endswith('portfolio-projecten-2020-11-01.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][:3] == ("id", "naam", "thema")
    assert len(lines) - 1 == 318 - 10 - 6  # not Kennemerland's ten, Amstelland's six
    csv_text = client.get("/portfolio/projecten.csv?reikwijdte=regio").content.decode("utf-8-sig")
    assert {line.split(";")[10] for line in csv_text.splitlines()[1:]} == {"Zuid-Holland Noord"}


def test_the_agenda_tables_name_the_running_projects_and_the_lines_without_one(demo_data, client):
    client.force_login(demo_data.analyst)
    page = client.get("/portfolio/visie/").content.decode()
    line = demo_data.region.agenda_items.get(title="Arbeidsmarkt", kind=AgendaKind.ACTIELIJN)
    running = [p for p in line.projects.all() if p.assessments.first().status == "lopend"]
    assert running and all(f">{p.code}</a>" in page for p in running)
    assert "geen lopend project" in page  # e.g. the action line Digitalisering


def test_a_small_change_is_charted_in_whole_projects(demo_data, client):
    client.force_login(demo_data.analyst)
    page = client.get("/portfolio/rapport/?peildatum=2021-03-31&vergelijk=2020-10-31").content
    assert b'"dtick":1' in page and b'"tickformat":"d"' in page


def test_the_report_charts_the_regions_per_phase_over_time(demo_data, client):
    client.force_login(demo_data.analyst)
    page = client.get("/portfolio/rapport/?peildatum=2020-11-01").content.decode()
    assert page.count('"barmode":"stack"') == 4  # table 4 and tables 1-3
    assert '"x":["mrt 2019","okt 2019","mrt 2020","okt 2020"]' in page


def test_the_project_page_has_a_plain_title_and_one_link_form(demo_data, client):
    client.force_login(demo_data.analyst)
    project = Project.objects.get(code="P023")
    project.budget = 12500
    project.save()
    page = client.get(f"/portfolio/projecten/{project.pk}/").content.decode()
    title = page[page.index("<title>") : page.index("</title>")]
    assert "<form" not in title and project.name in title
    assert page.count('name="punten"') == demo_data.region.agenda_items.count()
    assert "€ 12.500" in page


def test_a_phase_upload_reports_the_regions_it_read_and_the_page_title_is_plain(demo_data, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(demo_data.analyst)
    upload = SimpleUploadedFile(
        "fasen_2021-03.csv",
        b"zorgkantoorregio,afspraken_convenanten,stip_op_de_horizon,samenwerkingsdynamiek\n"
        b"Zuid-Holland Noord,4,4,4\n",
    )
    page = client.post(
        "/portfolio/importeren/", {"soort": "fasen", "bestand": upload}
    ).content.decode()
    assert "fasen_2021-03.csv ingelezen op peildatum 1 maart 2021: fasen van 1 regio." in page
    title = page[page.index("<title>") : page.index("</title>")]
    assert "<form" not in title and "Portfolio importeren" in title


def test_the_report_page_lets_the_analyst_choose_the_theme_of_table_12(demo_data, client):
    client.force_login(demo_data.analyst)
    page = client.get("/portfolio/rapport/?peildatum=2020-11-01&thema=Anders+werken")
    assert "Tabel 12. Ontwikkeling thema Anders werken: Impact" in page.content.decode()
    default = client.get("/portfolio/rapport/?peildatum=2020-11-01").content.decode()
    assert "Tabel 12. Ontwikkeling thema Technologie: Impact" in default
