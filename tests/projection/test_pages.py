"""The gap-analysis page: who sees a region's projection, what it shows, the downloads of
what is shown, and uploading a new version of the region's parameters."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from regiotafel.core.models import AuditAction, AuditEvent, Organisation, OrganisationType, Role
from regiotafel.projection import report, runner, services, store
from regiotafel.projection.models import ParameterSet
from tests.conftest import make_user
from tests.projection.conftest import demo_text

pytestmark = pytest.mark.integration


@pytest.fixture
def far_analyst(cast):
    return make_user("analist-kennemerland", (cast.far, Role.REGIO_ANALIST))


def page(client, user, **query):
    client.force_login(user)
    return client.get(reverse("projection:index"), query)


def test_the_analyst_of_the_region_sees_the_table_per_municipality(cast, zhn, client):
    response = page(client, cast.analyst)
    assert response.status_code == 200
    text = response.content.decode()
    view = services.gap_view(user=cast.analyst, region=cast.region)
    assert "Zorgkloof regio Zuid-Holland Noord" in text
    for name in ("Leiden", "Alphen aan den Rijn", "Katwijk", "Zuid-Holland Noord"):
        assert f'<th scope="row">{name}</th>' in text
    for row in report.table_rows(view.table):
        assert (
            f'<td class="num">{row["vraag"]}</td><td class="num">{row["aanbod"]}</td>'
            f'<td class="num">{row["tekort"]}</td><td class="num">{row["tekort_pct"]}</td>'
        ) in text
    assert text.count('class="plotly-chart"') == 3  # the region, its shortage, the municipalities


def test_the_decomposition_ends_with_the_whole_change_in_the_shortage(cast, zhn, client):
    text = page(client, cast.analyst, scenario="basis", product="verpleeghuis").content.decode()
    table = re.search(r'<table id="zorgkloof-decompositie">.*?</table>', text, re.S)[0]
    view = services.gap_view(user=cast.analyst, region=cast.region, product="verpleeghuis")
    region = view.series[view.series["gemeente"] == view.projection.region_code]
    change = region["tekort"].iloc[-1] - region["tekort"].iloc[0]
    assert (
        '<tr class="total"><th scope="row">Verandering in het tekort</th>'
        f'<td class="num">{report.number(change)}</td>'
    ) in table


def test_the_regions_shortage_is_shown_with_its_uncertainty(cast, zhn, client):
    text = page(client, cast.analyst, scenario="basis", product="verpleeghuis").content.decode()
    table = re.search(r'<table id="zorgkloof-onzekerheid">.*?</table>', text, re.S)[0]
    view = services.gap_view(user=cast.analyst, region=cast.region, product="verpleeghuis")
    series = view.series
    row = series[(series["gemeente"] == "ZHN") & (series["jaar"] == 2040)].iloc[0]
    assert row["tekort_p10"] < row["tekort_p50"] < row["tekort_p90"]
    cells = "".join(
        f'<td class="num">{report.number(row[c])}</td>'
        for c in ("tekort", "tekort_p10", "tekort_p50", "tekort_p90")
    )
    assert f'<th scope="row">2040</th>{cells}' in table
    assert report.number(row["tekort"]) == "4.259"  # seed 000 publishes 4,260


def test_without_draws_there_is_no_uncertainty_table(cast, zhn, client):
    services.save_parameter_set(
        user=cast.analyst, region=cast.region, text=demo_text(draws=0), filename="zonder.yaml"
    )
    text = page(client, cast.analyst).content.decode()
    assert 'id="zorgkloof-onzekerheid"' not in text and 'id="zorgkloof-tabel"' in text


def test_people_with_dementia_are_counted_in_whole_persons(cast, zhn, client):
    text = page(client, cast.analyst).content.decode()
    table = re.search(r'<table id="zorgkloof-indicatoren-gemeenten">.*?</table>', text, re.S)[0]
    assert '<th scope="col" class="num">Mensen met dementie</th>' in table
    dementia = re.findall(r'<td class="num">([^<]*)</td></tr>', table)  # the last column
    assert dementia and all(re.fullmatch(r"\d{1,3}(\.\d{3})*", value) for value in dementia)


def test_the_region_totals_are_the_sum_of_the_municipalities(cast, zhn):
    view = services.gap_view(user=cast.analyst, region=cast.region)
    table = view.table.set_index(["gemeente", "jaar"])
    region = view.projection.region_code
    for year in report.KEY_YEARS:
        municipalities = table.drop(index=region, level="gemeente").xs(year, level="jaar")
        assert municipalities["vraag"].sum() == pytest.approx(table.loc[(region, year), "vraag"])


def test_an_administrator_of_the_region_sees_it_too(cast, zhn, client):
    assert page(client, cast.admin).status_code == 200


@pytest.mark.parametrize("who", ["planner", "referrer", "triagist", "outsider"])
def test_others_are_refused(cast, zhn, client, who):
    response = page(client, getattr(cast, who))
    assert response.status_code == 403


def test_an_analyst_of_another_region_cannot_open_this_region(cast, zhn, client, far_analyst):
    response = page(client, far_analyst, regio=cast.region.slug)
    assert response.status_code == 403
    export = client.get(reverse("projection:export", args=["csv"]), {"regio": cast.region.slug})
    assert export.status_code == 403
    parameters = client.get(reverse("projection:parameter-file", args=[zhn.pk]))
    assert parameters.status_code == 403


def test_a_region_without_parameters_says_so(cast, zhn, client, far_analyst):
    response = page(client, far_analyst)
    assert response.status_code == 200
    assert "nog geen parameters" in response.content.decode()


def test_the_menu_links_to_the_page_for_analysts_only(cast, zhn, client):
    client.force_login(cast.analyst)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("projection:index")}"' in home
    client.force_login(cast.planner)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("projection:index")}"' not in home


def test_choosing_another_scenario_changes_the_supply_in_the_table(cast, zhn, client):
    scenarios = services.projection(user=cast.analyst, region=cast.region).scenarios
    assert len(scenarios) >= 2
    tables = {}
    for scenario in scenarios[:2]:
        text = page(client, cast.analyst, scenario=scenario, product="verpleeghuis").content
        tables[scenario] = re.search(
            r'<table id="zorgkloof-tabel">.*?</table>', text.decode(), re.S
        )[0]
    first, second = tables.values()
    assert first != second


def test_an_htmx_request_gets_only_the_panel(cast, zhn, client):
    client.force_login(cast.analyst)
    response = client.get(reverse("projection:index"), HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert "<html" not in text and 'id="zorgkloof-tabel"' in text


def test_an_unknown_scenario_on_the_page_falls_back_to_the_first(cast, zhn, client):
    response = page(client, cast.analyst, scenario="bestaat-niet")
    assert response.status_code == 200


def test_the_csv_download_holds_every_year_of_what_is_shown(cast, zhn, client):
    client.force_login(cast.analyst)
    view = services.gap_view(user=cast.analyst, region=cast.region)
    response = client.get(
        reverse("projection:export", args=["csv"]),
        {"scenario": view.scenario, "product": view.product},
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].split(";")[:3] == ["gemeente", "naam", "jaar"]
    assert len(lines) - 1 == len(view.series)
    assert all(f";{view.scenario};" in line for line in lines[1:])
    assert lines[0].endswith(";bron") and "DEMODATASET" in lines[1]  # marked as demo data


def test_the_xlsx_download_holds_the_table_shown(cast, zhn, client):
    client.force_login(cast.analyst)
    view = services.gap_view(user=cast.analyst, region=cast.region)
    response = client.get(reverse("projection:export", args=["xlsx"]))
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames[:2] == ["Kernjaren", "Per jaar"]
    rows = list(book["Kernjaren"].iter_rows(values_only=True))
    assert len(rows) - 1 == len(view.table)
    header = list(rows[0])
    first = dict(zip(header, rows[1], strict=True))
    assert first["vraag"] == pytest.approx(view.table.iloc[0]["vraag"])


def test_the_html_download_is_a_report_of_the_scenario_and_product(cast, zhn, client):
    client.force_login(cast.analyst)
    view = services.gap_view(user=cast.analyst, region=cast.region)
    response = client.get(reverse("projection:export", args=["html"]))
    text = response.content.decode()
    assert response["Content-Disposition"].startswith("attachment;")
    assert text.startswith("<!DOCTYPE html>") and "Leiden" in text
    assert view.product_label in text


def test_the_projection_is_computed_once_and_then_read_from_the_shared_store(
    cast, zhn, monkeypatch
):
    first = services.projection(user=cast.analyst, region=cast.region).results
    services.forget_memory()

    def refuse(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(runner, "run", refuse)
    again = services.projection(user=cast.analyst, region=cast.region).results
    assert again.equals(first)


def upload(client, user, text: str, *, name="parameters.yaml", region=None):
    client.force_login(user)
    return client.post(
        reverse("projection:parameters"),
        {
            "regio": (region or user.memberships.first().organisation.region).slug,
            "bestand": SimpleUploadedFile(name, text.encode("utf-8")),
        },
    )


def test_an_analyst_uploads_a_new_version_and_it_is_logged(cast, zhn, client):
    changed = demo_text(draws=0)
    response = upload(client, cast.analyst, changed, name="nieuw.yaml")
    assert response.status_code == 302
    latest = services.current_parameter_set(cast.region)
    assert (latest.version, latest.filename, latest.created_by) == (2, "nieuw.yaml", cast.analyst)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE,
        object_type="projection.parameterset",
        object_id=str(latest.pk),
        actor=cast.analyst,
    ).exists()
    view = services.gap_view(user=cast.analyst, region=cast.region)
    assert not view.has_band  # the new version has no draws


def test_a_rate_above_one_is_refused_naming_the_field_and_nothing_is_saved(cast, zhn, client):
    bad = demo_text().replace("man: 0.002235,", "man: 1.5,", 1)
    assert bad != demo_text()
    response = upload(client, cast.analyst, bad, name="fout.yaml")
    assert response.status_code == 422
    text = response.content.decode()
    assert "fout.yaml" in text and "man" in text and "tussen 0 en 1" in text
    assert ParameterSet.objects.filter(region=cast.region).count() == 1


def test_a_file_of_another_region_is_refused(cast, zhn, client, far_analyst):
    response = upload(client, far_analyst, demo_text(), region=cast.other_region)
    assert response.status_code == 422
    assert "hoort niet bij regio Kennemerland" in response.content.decode()
    assert not ParameterSet.objects.filter(region=cast.other_region).exists()


def test_a_provider_planner_cannot_upload(cast, zhn, client):
    response = upload(client, cast.planner, demo_text(), region=cast.region)
    assert response.status_code == 403
    assert ParameterSet.objects.filter(region=cast.region).count() == 1


def test_the_history_lists_every_version_with_a_download(cast, zhn, client):
    client.force_login(cast.analyst)
    text = client.get(reverse("projection:parameters")).content.decode()
    assert reverse("projection:parameter-file", args=[zhn.pk]) in text
    download = client.get(reverse("projection:parameter-file", args=[zhn.pk]))
    assert download.content.decode() == zhn.text


def test_an_analyst_elsewhere_with_a_care_office_in_the_region_gets_no_rights_there(cast, zhn):
    care_office = Organisation.objects.create(
        name="Zorgkantoor Kennemerland", type=OrganisationType.ZORGKANTOOR, region=cast.other_region
    )
    user = make_user("kantoor", (care_office, Role.REGIO_ANALIST))
    assert list(services.regions_for(user)) == [cast.other_region]


def test_the_demo_seeds_the_example_once_and_keeps_an_analysts_upload(db, settings, tmp_path):
    from regiotafel.core import demo as core_demo
    from regiotafel.core.models import Region

    settings.DATA_DIR = tmp_path
    services.forget_memory()
    core_demo.seed(password="een-demo-wachtwoord")
    region = Region.objects.get(name=core_demo.DEMO_REGION)
    first = services.current_parameter_set(region)
    assert (first.version, first.text) == (1, demo_text())
    key = services.cache_key(first.text, services.platform_supply(first.text, region))
    assert store.load(key) is not None  # computed at seeding, into the shared store
    assert not (tmp_path / "projectie").exists()  # nothing on this server's disk
    core_demo.seed(password="een-demo-wachtwoord")
    assert ParameterSet.objects.filter(region=region).count() == 1
    analyst = region.organisations.get(name="Zorgkantoor Zorg en Zekerheid").memberships.get(
        role=Role.REGIO_ANALIST
    )
    services.save_parameter_set(
        user=analyst.user, region=region, text=demo_text(draws=0), filename="eigen.yaml"
    )
    core_demo.seed(password="een-demo-wachtwoord")
    assert services.current_parameter_set(region).filename == "eigen.yaml"


def test_a_valid_file_whose_projection_fails_is_refused_too(cast, zhn, client):
    unknown = demo_text().replace(
        "  # gemeenten: [GM0546, GM0484]", "  gemeenten: [GM0546, GM9999]", 1
    )
    assert unknown != demo_text()
    response = upload(client, cast.analyst, unknown, name="onbekend.yaml")
    assert response.status_code == 422
    text = response.content.decode()
    assert "onbekend.yaml: de projectie lukt niet" in text and "GM9999" in text
    assert ParameterSet.objects.filter(region=cast.region).count() == 1


def test_a_superuser_without_an_organisation_sees_the_first_region_with_parameters(
    cast, zhn, client
):
    from regiotafel.core.models import User

    root = User.objects.create_superuser("root", password="een-lang-testwachtwoord")
    client.force_login(root)
    response = client.get(reverse("projection:index"))
    assert response.status_code == 200
    assert "Zorgkloof regio Zuid-Holland Noord" in response.content.decode()


def test_a_product_without_capacity_shows_demand_and_dashes(cast, zhn, client):
    text = demo_text(draws=0).replace("  wijkverpleging: basisjaar\n", "", 1)
    services.save_parameter_set(
        user=cast.analyst, region=cast.region, text=text, filename="zonder-aanbod.yaml"
    )
    response = page(client, cast.analyst, product="wijkverpleging")
    assert response.status_code == 200
    table = re.search(r'<table id="zorgkloof-tabel">.*?</table>', response.content.decode(), re.S)[
        0
    ]
    assert '<td class="num">—</td>' in table
    parts = re.search(
        r'<table id="zorgkloof-decompositie">.*?</table>', response.content.decode(), re.S
    )[0]
    assert 'Verandering in het tekort</th><td class="num">—</td>' in parts  # no shortage
    client.force_login(cast.analyst)
    for fmt in ("csv", "xlsx", "html"):
        answer = client.get(reverse("projection:export", args=[fmt]), {"product": "wijkverpleging"})
        assert answer.status_code == 200, fmt
