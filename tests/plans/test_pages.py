# ruff: noqa: F811 - pytest fixtures imported from test_services are redefined as parameters
"""The plan pages: who may open them, uploading with progress, coding a passage and a
verdict, the matrix, the comparison and the framework pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from regiotafel.plans.models import Coding, Framework, PassageJudgement, Plan, PlanStatus
from tests.plans.test_services import (  # noqa: F401 - fixtures
    FRAMEWORK_CSV,
    KENNEMERLAND,
    ZHN_VISION,
    framework,
    inline,
    plan,
    strongest,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def no_threads():
    """Queued jobs run at once in tests (tests/conftest.py); nothing to switch off."""


@pytest.mark.parametrize("role", ["referrer", "triagist", "planner", "outsider"])
def test_people_without_an_analysis_role_get_403_on_every_plan_page(cast, plan, client, role):
    client.force_login(getattr(cast, role))
    indicator = strongest(plan)[0].indicator
    for url in [
        reverse("plans:index"),
        reverse("plans:upload"),
        reverse("plans:plan", args=[plan.pk]),
        reverse("plans:review", args=[plan.pk, indicator.pk]),
        reverse("plans:matrix"),
        reverse("plans:frameworks"),
        reverse("plans:evaluation"),
        reverse("plans:compare"),
        reverse("plans:progress", args=[plan.pk]),
        reverse("plans:matrix-export", args=["csv"]),
        reverse("plans:framework", args=[plan.framework_id]),
        reverse("plans:codebook", args=[plan.framework_id]),
    ]:
        assert client.get(url).status_code == 403, url


def test_the_menu_links_to_the_plans_for_an_analyst_only(cast, client):
    client.force_login(cast.analyst)
    assert f'href="{reverse("plans:index")}"' in client.get(reverse("home")).content.decode()
    client.force_login(cast.planner)
    assert f'href="{reverse("plans:index")}"' not in client.get(reverse("home")).content.decode()


def test_an_analyst_uploads_a_plan_and_sees_its_proposals(
    cast, framework, client, no_threads, django_capture_on_commit_callbacks
):
    client.force_login(cast.analyst)
    with open(KENNEMERLAND, "rb") as upload, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("plans:upload"),
            {
                "regio": cast.region.pk,
                "kader": framework.pk,
                "titel": "Regiovisie",
                "versie": "2024",
                "scorer": "lexicaal",
                "bestand": upload,
            },
        )
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{plan.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert plan.status == PlanStatus.KLAAR and plan.title == "Regiovisie"
    assert "PREV-3" in page and "Klaar." in page


def test_an_unsupported_upload_is_refused_on_the_page_with_the_file_name(cast, framework, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.analyst)
    response = client.post(
        reverse("plans:upload"),
        {
            "regio": cast.region.pk,
            "kader": framework.pk,
            "scorer": "lexicaal",
            "bestand": SimpleUploadedFile("foto.jpg", b"\xff\xd8\xff\x00jpeg"),
        },
    )
    assert response.status_code == 422
    assert "foto.jpg" in response.content.decode()
    assert not Plan.objects.exists()


def test_an_encrypted_pdf_is_refused_on_the_upload_page_and_not_listed(cast, framework, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.plans.conftest import PARAGRAPHS
    from tests.plans.fixtures.documents import encrypt_pdf, make_pdf, wrap

    raw = encrypt_pdf(make_pdf([wrap(" ".join(PARAGRAPHS))]), password="geheim")
    client.force_login(cast.analyst)
    response = client.post(
        reverse("plans:upload"),
        {
            "regio": cast.region.pk,
            "kader": framework.pk,
            "scorer": "lexicaal",
            "bestand": SimpleUploadedFile("regioplan.pdf", raw),
        },
    )
    assert response.status_code == 422
    assert "regioplan.pdf is versleuteld" in response.content.decode()
    assert not Plan.objects.exists()
    assert "regioplan.pdf" not in client.get(reverse("plans:index")).content.decode()


def test_a_plan_in_progress_polls_and_the_page_refreshes_when_done(cast, framework, client):
    waiting = Plan.objects.create(
        region=cast.region,
        framework=framework,
        title="Groot plan",
        file_name="groot.pdf",
        kind="pdf",
        source=b"%PDF-",
        scorer="lexicaal",
        status=PlanStatus.BEZIG,
        progress=40,
    )
    client.force_login(cast.analyst)
    page = client.get(reverse("plans:plan", args=[waiting.pk])).content.decode()
    assert 'hx-get="' + reverse("plans:progress", args=[waiting.pk]) in page
    assert "40%" in page
    Plan.objects.filter(pk=waiting.pk).update(status=PlanStatus.MISLUKT, error="Kapot.")
    fragment = client.get(reverse("plans:progress", args=[waiting.pk]))
    assert fragment["HX-Refresh"] == "true" and "Kapot." in fragment.content.decode()


def test_an_analyst_accepts_a_passage_and_records_a_verdict(cast, plan, client):
    client.force_login(cast.analyst)
    proposal = strongest(plan)[0]
    top = proposal.ranked.first().passage
    review = reverse("plans:review", args=[plan.pk, proposal.indicator.pk])
    page = client.get(review).content.decode()
    assert top.citation in page and proposal.indicator.question in page
    client.post(
        reverse("plans:judge", args=[plan.pk, proposal.indicator.pk, top.pk]),
        {"beoordeling": "accepteren", "toelichting": "Precies dit."},
    )
    judgement = PassageJudgement.objects.get()
    assert judgement.accepted and judgement.note == "Precies dit."
    response = client.post(
        reverse("plans:code", args=[plan.pk, proposal.indicator.pk]),
        {"oordeel": "gedekt", "onderbouwing": [top.pk], "toelichting": "Staat er."},
    )
    assert response.status_code == 302
    coding = Coding.objects.get()
    assert coding.verdict == "gedekt" and list(coding.evidence.all()) == [top]
    matrix = client.get(reverse("plans:matrix")).content.decode()
    assert "bevestigd" in matrix


def test_covered_without_evidence_is_refused_on_the_page(cast, plan, client):
    client.force_login(cast.analyst)
    indicator = strongest(plan)[0].indicator
    response = client.post(
        reverse("plans:code", args=[plan.pk, indicator.pk]), {"oordeel": "deels"}
    )
    assert response.status_code == 422
    assert "onderbouwing" in response.content.decode()
    assert not Coding.objects.exists()


def test_an_analyst_finds_a_passage_the_scan_did_not_propose_and_uses_it(cast, plan, client):
    client.force_login(cast.analyst)
    indicator = strongest(plan)[0].indicator
    proposed = {r.passage_id for r in plan.proposals.get(indicator=indicator).ranked.all()}
    other = plan.passages.exclude(pk__in=proposed).first()
    word = max(other.text.split(), key=len)
    page = client.get(
        reverse("plans:review", args=[plan.pk, indicator.pk]), {"zoek": word}
    ).content.decode()
    assert f'value="{other.pk}"' in page
    client.post(
        reverse("plans:code", args=[plan.pk, indicator.pk]),
        {"oordeel": "deels", "onderbouwing": [other.pk]},
    )
    assert list(Coding.objects.get().evidence.all()) == [other]


def test_an_analyst_of_another_region_sees_the_matrix_but_not_the_plan(cast, plan, client):
    from regiotafel.core.models import Role
    from tests.conftest import make_user

    elsewhere = make_user("kennemer", (cast.far, Role.REGIO_ANALIST))
    client.force_login(elsewhere)
    assert client.get(reverse("plans:plan", args=[plan.pk])).status_code == 403
    matrix = client.get(reverse("plans:matrix"))
    assert matrix.status_code == 200 and cast.region.name in matrix.content.decode()


def test_the_matrix_exports_as_csv_and_xlsx(cast, plan, client):
    client.force_login(cast.analyst)
    csv_response = client.get(reverse("plans:matrix-export", args=["csv"]))
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response.content.decode().count("\n") == 1 + 30
    xlsx = client.get(reverse("plans:matrix-export", args=["xlsx"]))
    assert xlsx.content[:2] == b"PK"
    assert client.get("/plannen/matrix.pdf").status_code == 404


def test_two_versions_are_compared_on_the_page(cast, plan, framework, inline, client):
    newer = inline(
        user=cast.analyst,
        region=cast.region,
        framework=framework,
        title="Regiovisie",
        version="2025",
        source=ZHN_VISION.read_bytes(),
        file_name=ZHN_VISION.name,
    )
    client.force_login(cast.analyst)
    page = client.get(reverse("plans:compare"), {"a": plan.pk, "b": newer.pk}).content.decode()
    assert "Verandering" in page and "CUL-1" in page


def test_an_analyst_reads_in_a_framework_and_edits_an_indicators_words(cast, client, framework):
    client.force_login(cast.analyst)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("plans:frameworks"),
        {
            "naam": "Kwaliteitskader",
            "bestand": SimpleUploadedFile("kader.csv", FRAMEWORK_CSV.encode()),
        },
    )
    created = Framework.objects.get(name="Kwaliteitskader")
    assert response["Location"] == reverse("plans:framework", args=[created.pk])
    indicator = created.indicators.get(code="KK-2")
    client.post(
        reverse("plans:vocabulary", args=[created.pk, indicator.pk]),
        {"synoniemen": "dagbesteding\nzinvolle dagbesteding", "voorbeelden": ""},
    )
    indicator.refresh_from_db()
    assert indicator.synonyms == ["dagbesteding", "zinvolle dagbesteding"]


def test_a_bad_framework_file_shows_row_and_column_and_stores_nothing(cast, client, framework):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.analyst)
    bad = FRAMEWORK_CSV + "KK-3,Wonen,,Waar?,\n"
    response = client.post(
        reverse("plans:frameworks"),
        {"naam": "Kapot kader", "bestand": SimpleUploadedFile("kader.csv", bad.encode())},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "<td>4</td><td>indicator</td>" in page
    assert not Framework.objects.filter(name="Kapot kader").exists()


def test_the_codebook_downloads_as_refi_qda(cast, client, framework):
    client.force_login(cast.analyst)
    response = client.get(reverse("plans:codebook", args=[framework.pk]))
    assert b"urn:QDA-XML:codebook:1.0" in response.content
    assert response["Content-Disposition"].endswith('.qdc"')


def test_an_analyst_removes_a_wrong_upload_and_a_planner_cannot(cast, plan, client):
    client.force_login(cast.planner)
    assert client.post(reverse("plans:delete", args=[plan.pk])).status_code == 403
    client.force_login(cast.analyst)
    response = client.post(reverse("plans:delete", args=[plan.pk]))
    assert response["Location"] == reverse("plans:index")
    assert not Plan.objects.exists()


def test_the_reliability_page_can_be_limited_to_one_region(cast, plan, client):
    from regiotafel.plans import services

    indicator = strongest(plan)[0].indicator
    services.code_indicator(
        user=cast.analyst, plan=plan, indicator=indicator, verdict="niet gedekt"
    )
    Plan.objects.create(
        region=cast.other_region,
        framework=plan.framework,
        title="Elders",
        file_name="elders.txt",
        kind="txt",
        source=b"x",
        scorer="lexicaal",
        status=PlanStatus.KLAAR,
    )
    client.force_login(cast.analyst)
    own = client.get(reverse("plans:evaluation"), {"regio": cast.region.pk}).content.decode()
    other = client.get(reverse("plans:evaluation"), {"regio": cast.other_region.pk})
    assert "Gebaseerd op 1 gecodeerde indicator." in own
    assert "Gebaseerd op 0 gecodeerde indicatoren" in other.content.decode()


def test_a_judgement_without_a_choice_is_refused_and_nothing_stored(cast, plan, client):
    client.force_login(cast.analyst)
    proposal = strongest(plan)[0]
    passage = proposal.ranked.first().passage_id
    url = reverse("plans:judge", args=[plan.pk, proposal.indicator.pk, passage])
    assert client.post(url, {"beoordeling": "misschien"}).status_code == 422
    assert not PassageJudgement.objects.exists()


def test_an_analyst_calibrates_from_the_reliability_page(cast, plan, client):
    client.force_login(cast.analyst)
    response = client.post(
        reverse("plans:calibrate"), {"kader": plan.framework_id, "scorer": "lexicaal"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "0 indicatoren aangepast" in page
    client.force_login(cast.planner)
    assert client.post(reverse("plans:calibrate"), {"kader": "x"}).status_code == 403


def test_a_framework_or_region_number_in_superscript_digits_is_not_a_server_error(
    cast, plan, client
):
    client.force_login(cast.analyst)
    for url in [reverse("plans:matrix"), reverse("plans:evaluation")]:
        assert client.get(url, {"kader": "²"}).status_code == 200
    assert client.get(reverse("plans:evaluation"), {"regio": "²"}).status_code == 200
    refused = client.post(reverse("plans:calibrate"), {"kader": "²", "scorer": "lexicaal"})
    assert refused.status_code == 404


def test_the_plan_list_shows_how_many_indicators_are_coded(cast, plan, client):
    from regiotafel.plans import services

    for proposal in strongest(plan, 2):
        services.code_indicator(
            user=cast.analyst, plan=plan, indicator=proposal.indicator, verdict="niet gedekt"
        )
    client.force_login(cast.analyst)
    page = client.get(reverse("plans:index")).content.decode()
    assert '<td class="num">2 / 30</td>' in page


def test_the_reliability_page_title_is_only_its_name(cast, plan, client):
    import re

    client.force_login(cast.analyst)
    page = client.get(reverse("plans:evaluation")).content.decode()
    [title] = re.findall(r"<title>(.*?)</title>", page, re.S)
    assert "Betrouwbaarheid van de voorstellen" in title
    assert "kalibreren" not in title and "&lt;" not in title and "<" not in title
    assert page.count("Drempels kalibreren") == 1
