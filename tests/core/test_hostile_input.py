"""Hostile requests are refused early and cheaply, with a 4xx and a stable code, and change
nothing: oversized uploads, zip bombs, NUL bytes, numbers no database column can hold.

Run on SQLite and on PostgreSQL (DATABASE_URL): PostgreSQL is where a NUL byte or a number
past 2⁶³ used to become a server error.
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from regiotafel.core.limits import MAX_INT, MAX_OFFSET, LimitedUploadHandler
from regiotafel.core.models import AuditEvent, Organisation
from regiotafel.waitlist.models import Client, Registration
from tests.capacity.conftest import ward  # noqa: F401 - a fixture
from tests.core.hostile_files import build_zip, deflate_repeated
from tests.portfolio.conftest import regions  # noqa: F401 - a fixture
from tests.waitlist.conftest import as_csv, homes, row  # noqa: F401 - homes is a fixture

pytestmark = pytest.mark.integration

MB = 1024 * 1024
ORGANISATIONS = "/api/v1/organisaties"


def problem(response) -> dict:
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def snapshot() -> tuple:
    return (Client.objects.count(), Registration.objects.count(), Organisation.objects.count())


@pytest.fixture
def parses(monkeypatch) -> list[int]:
    """How often a request body was parsed as a multipart form."""
    calls = [0]
    original = MultiPartParser.parse

    def counting(self):
        calls[0] += 1
        return original(self)

    monkeypatch.setattr(MultiPartParser, "parse", counting)
    return calls


def import_upload(client, homes, upload):  # noqa: F811 - the fixture's value
    client.force_login(homes.planner)
    return client.post(
        reverse("waitlist:import"), {"aanbieder": str(homes.own.pk), "bestand": upload}
    )


# -- size ---------------------------------------------------------------------------------------


def test_an_upload_past_the_limit_is_refused_with_413_before_its_body_is_parsed(
    client,
    homes,  # noqa: F811
    settings,
    parses,
):
    settings.MAX_UPLOAD_MB = 1
    before = snapshot()
    big = SimpleUploadedFile("lijst.csv", as_csv(row()) + b"\n" * (2 * MB))
    response = import_upload(client, homes, big)
    assert response.status_code == 413
    assert "1 MB" in response.content.decode()
    assert parses[0] == 0
    assert snapshot() == before


def test_an_api_upload_past_the_limit_is_a_problem_document_with_its_code(client, cast, settings):
    settings.MAX_UPLOAD_MB = 1
    client.force_login(cast.admin)
    big = SimpleUploadedFile("lijst.csv", b"x" * (2 * MB))
    response = client.post(ORGANISATIONS, {"bestand": big})
    assert response.status_code == 413
    assert problem(response)["code"] == "bestand-te-groot"


def test_a_form_sent_to_the_api_is_415_not_a_server_error(client, cast):
    client.force_login(cast.admin)
    response = client.post("/api/v1/bedden/1/reserveringen", {"casus": "x"})
    assert response.status_code == 415
    assert problem(response)["code"] == "mediatype-niet-ondersteund"


def test_a_json_body_past_the_limit_is_413_not_a_server_error(client, cast):
    client.force_login(cast.admin)
    body = '{"opmerking": "' + "x" * (3 * MB) + '"}'
    response = client.post("/api/v1/bedden/1/reserveringen", body, content_type="application/json")
    assert response.status_code == 413
    assert problem(response)["code"] == "te-groot"


def test_an_upload_longer_than_it_says_is_stopped_at_the_first_chunk_past_the_limit():
    body = encode_multipart(BOUNDARY, {"bestand": SimpleUploadedFile("x.csv", b"x" * (8 * MB))})

    class Stream(io.BytesIO):
        taken = 0

        def read(self, size=-1):
            data = super().read(size)
            Stream.taken += len(data)
            return data

    limit = LimitedUploadHandler(limit=1 * MB)
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": "200"}  # a lie
    _form, files = MultiPartParser(meta, Stream(body), [limit, MemoryFileUploadHandler()]).parse()
    assert limit.exceeded
    assert "bestand" not in files
    assert Stream.taken < 2 * MB


# -- hostile files through a real import page -------------------------------------------------


def test_a_zip_bomb_uploaded_as_a_waiting_list_is_refused_and_nothing_is_written(
    client,
    homes,  # noqa: F811
):
    parts = {
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": b"<workbook/>",
        "xl/worksheets/sheet1.xml": deflate_repeated(b" " * MB, 1024),  # 1 GiB of spaces
    }
    before = snapshot()
    bomb = SimpleUploadedFile("lijst.xlsx", build_zip(parts))
    response = import_upload(client, homes, bomb)
    assert response.status_code == 422
    assert "lijst.xlsx" in response.content.decode()
    assert "pakt uit" in response.content.decode()
    assert snapshot() == before


def test_an_xlsx_declaring_a_whole_excel_sheet_is_refused_by_the_import_page(
    client,
    homes,  # noqa: F811
):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["klantnummer", "achternaam"])
    book.active.append(["K1", "Jansen"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'ref="A1:B2"', b'ref="A1:XFD1048576"')
    before = snapshot()
    response = import_upload(client, homes, SimpleUploadedFile("groot.xlsx", build_zip(parts)))
    assert response.status_code == 422
    assert "1.048.576" in response.content.decode()
    assert snapshot() == before


def test_a_dutch_excel_csv_in_windows_1252_with_semicolons_imports(client, homes):  # noqa: F811
    text = as_csv(row("K1", surname="Hoëvenaars"), row("K2", surname="Brûlé")).decode()
    raw = text.replace(",", ";").encode("cp1252")
    response = import_upload(client, homes, SimpleUploadedFile("excel.csv", raw))
    assert response.status_code == 200
    names = set(Client.objects.values_list("surname", flat=True))
    assert {"Hoëvenaars", "Brûlé"} <= names


@pytest.mark.parametrize(
    "long",
    [{"number": "K" * 41}, {"surname": "Jansen" * 20}, {"initials": "A." * 11}],
)
def test_a_cell_longer_than_its_field_is_refused_naming_row_and_column(homes, long):  # noqa: F811
    from regiotafel import errors
    from tests.waitlist.conftest import load

    before = snapshot()
    with pytest.raises(errors.InvalidInput) as refused:
        load(homes.own, row(**{"number": "K1", **long}), row("K2"))
    assert refused.value.code == "cel-te-lang"
    assert refused.value.errors[0].row == 2
    assert refused.value.errors[0].field in ("klantnummer", "achternaam", "voorletters")
    assert snapshot() == before


def test_a_project_name_longer_than_its_field_is_refused(regions):  # noqa: F811
    from regiotafel import errors
    from regiotafel.portfolio import imports
    from regiotafel.portfolio.models import Project
    from tests.portfolio.conftest import PROJECTS

    header, first = PROJECTS.read_text(encoding="utf-8").splitlines()[:2]
    cells = first.split(",")
    cells[1] = "n" * 301
    with pytest.raises(errors.InvalidInput) as refused:
        imports.import_projects(source=f"{header}\n{','.join(cells)}\n".encode(), name="p.csv")
    assert refused.value.code == "cel-te-lang"
    assert (refused.value.errors[0].row, refused.value.errors[0].field) == (2, "naam")
    assert not Project.objects.exists()


def test_a_reason_longer_than_its_column_is_a_422_not_a_database_error(client, ward):  # noqa: F811
    bed = ward.beds(ward.leiden)[0]
    client.force_login(ward.planner)
    body = '{"status": "onderhoud", "reden": "%s"}' % ("r" * 201)
    response = client.patch(f"/api/v1/bedden/{bed.pk}", body, content_type="application/json")
    assert response.status_code == 422
    assert problem(response)["invalid-params"][0]["name"] == "reden"
    bed.refresh_from_db()
    assert bed.status != "onderhoud"


# -- NUL bytes ---------------------------------------------------------------------------------


def test_a_nul_byte_in_an_api_path_is_a_400_problem(client, cast):
    client.force_login(cast.admin)
    response = client.get(ORGANISATIONS + "/%00")
    assert response.status_code == 400
    assert problem(response)["code"] == "nul-teken"


def test_a_nul_byte_in_a_page_path_is_a_400_page(client, cast):
    client.force_login(cast.admin)
    response = client.get("/wachtlijst/clienten/%00/")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_byte_in_the_query_string_is_a_400_problem(client, cast):
    client.force_login(cast.admin)
    response = client.get(ORGANISATIONS, {"zoek": "a\x00b"})
    assert response.status_code == 400
    assert problem(response)["code"] == "nul-teken"


def test_a_nul_byte_in_a_login_form_is_a_400_and_not_a_database_error(client, cast):
    response = client.post(reverse("login"), {"username": "planner\x00", "password": "x"})
    assert response.status_code == 400


def test_a_nul_byte_in_a_cookie_is_a_400(client, cast):
    response = client.get(reverse("login"), HTTP_COOKIE="sessionid=abcdefgh\x00ijklmnop")
    assert response.status_code == 400


def test_a_nul_byte_in_a_json_string_is_a_400_problem_naming_the_field(client, cast):
    client.force_login(cast.admin)
    events = AuditEvent.objects.count()
    response = client.post(
        "/api/v1/bedden/1/reserveringen",
        '{"casus": {"opmerking": "a\\u0000b"}}',
        content_type="application/json",
    )
    assert response.status_code == 400
    body = problem(response)
    assert body["code"] == "nul-teken"
    assert "casus.opmerking" in body["detail"]
    assert AuditEvent.objects.count() == events


def test_a_lone_surrogate_in_a_json_string_is_a_400_problem_not_a_crash(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        "/api/v1/bedden/1/reserveringen", '{"casus": "\\ud800"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert problem(response)["code"] == "ongeldig-teken"
    assert "casus" in problem(response)["detail"]


def test_an_escaped_emoji_is_an_ordinary_string(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        "/api/v1/bedden/1/reserveringen",
        '{"casus": "\\ud83d\\ude00"}',
        content_type="application/json",
    )
    assert problem(response)["code"] not in ("ongeldig-teken", "nul-teken", "serverfout")


def test_a_deeply_nested_json_body_is_not_a_crash(client, cast):
    client.force_login(cast.admin)
    body = "[" * 100_000 + '"\\u0000"' + "]" * 100_000
    response = client.post("/api/v1/bedden/1/reserveringen", body, content_type="application/json")
    assert response.status_code < 500


def test_an_escaped_backslash_before_u0000_is_not_a_nul(client, cast):
    client.force_login(cast.admin)
    response = client.patch(
        "/api/v1/bedden/999999", '{"status": "a\\\\u0000"}', content_type="application/json"
    )
    assert problem(response)["code"] != "nul-teken"


# -- numbers no column can hold ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["offset", "limit"])
def test_a_pagination_value_past_2_to_the_63_is_a_400_problem(client, cast, name):
    client.force_login(cast.admin)
    response = client.get(ORGANISATIONS, {name: str(2**63)})
    assert response.status_code == 400
    assert problem(response)["code"] == "getal-buiten-bereik"


def test_a_number_of_thousands_of_digits_is_refused_without_converting_it(client, cast):
    client.force_login(cast.admin)
    response = client.get(ORGANISATIONS, {"offset": "9" * 10_000})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("query", "status"),
    [({"offset": MAX_OFFSET + 1}, 422), ({"limit": 100_000}, 422), ({"offset": MAX_OFFSET}, 200)],
)
def test_pagination_is_bounded_by_the_schema_and_the_largest_offset_works(
    client, cast, query, status
):
    client.force_login(cast.admin)
    response = client.get(ORGANISATIONS, query)
    assert response.status_code == status
    if status == 200:
        assert response.json()["items"] == []


def test_an_id_past_bigint_in_an_api_path_is_a_404_problem(client, cast):
    client.force_login(cast.admin)
    response = client.get(f"{ORGANISATIONS}/{2**64}")
    assert response.status_code == 404
    assert problem(response)["code"] == "niet-gevonden"


def test_the_largest_bigint_id_is_an_ordinary_404(client, cast):
    client.force_login(cast.admin)
    assert client.get(f"{ORGANISATIONS}/{MAX_INT}").status_code == 404
    assert client.get(f"/api/v1/reserveringen/{MAX_INT}").status_code == 404


def test_an_id_past_bigint_in_a_page_path_is_a_404_page(client, cast):
    client.force_login(cast.admin)
    response = client.get(f"/wachtlijst/clienten/{2**70}/")
    assert response.status_code == 404


def test_a_form_number_past_bigint_is_a_400(client, cast):
    client.force_login(cast.admin)
    response = client.post(reverse("switch-organisation"), {"organisatie": str(2**64)})
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["abc", "1e3", "²", "2020-02-30"])
def test_a_location_that_is_no_number_shows_the_placement_page(client, cast, value):
    client.force_login(cast.planner)
    response = client.get(reverse("waitlist:placement"), {"locatie": value})
    assert response.status_code == 200


@pytest.mark.parametrize("form", [{}, {"inschrijving": "abc", "locatie": "1"}])
def test_a_hand_made_placement_form_is_a_message_not_a_crash(client, cast, form):
    client.force_login(cast.planner)
    response = client.post(reverse("waitlist:placement-action", args=["aanbieden"]), form)
    assert response.status_code == 302


def test_too_many_query_fields_is_a_400_problem_not_a_crash(client, cast):
    client.force_login(cast.admin)
    response = client.get(ORGANISATIONS + "?" + "&".join(["a=1"] * 1500))
    assert response.status_code == 400
    assert problem(response)["code"] == "ongeldig-verzoek"


# -- exports that round-trip, plans that are bombs ---------------------------------------------


def test_a_project_export_neutralises_formulas_and_reads_back_unchanged(
    regions,  # noqa: F811
    tmp_path,
):
    from django.core.management import call_command

    from regiotafel.portfolio import imports
    from regiotafel.portfolio.models import Project
    from tests.portfolio.conftest import PROJECTS

    imports.import_projects(source=PROJECTS)
    hostile = {"P001": '=HYPERLINK("http://x","klik")', "P002": "-vooraf", "P003": "@SOM(A1)"}
    for code, name in hostile.items():
        Project.objects.filter(code=code).update(name=name)
    target = tmp_path / "projecten.csv"
    call_command(
        "portfolio", "exporteer-projecten", "--peildatum", "2020-11-01", "--formaat", "csv",
        "--uit", str(target), stdout=io.StringIO(),
    )  # fmt: skip
    written = target.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in written and ";'-vooraf;" in written and ";'@SOM(A1);" in written
    out = io.StringIO()
    call_command(
        "portfolio", "importeer-projecten", str(target), "--peildatum", "2020-10-01", stdout=out
    )
    assert "0 nieuw, 0 gewijzigd" in out.getvalue()
    assert dict(Project.objects.filter(code__in=hostile).values_list("code", "name")) == hostile


def test_a_zip_bomb_docx_plan_is_refused_before_python_docx_opens_it():
    from regiotafel.core.tabular import FileTooLarge
    from regiotafel.plans import ingest

    parts = {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": deflate_repeated(b" " * MB, 1024),  # 1 GiB
    }
    with pytest.raises(FileTooLarge) as refused:
        ingest.read_document(build_zip(parts), name="plan.docx")
    assert refused.value.code == "bestand-te-groot"
    assert "plan.docx" in str(refused.value)


def test_the_token_command_answers_not_found_for_an_organisation_in_superscript_digits(cast):
    from django.core.management import CommandError, call_command

    from regiotafel.core.models import ApiToken

    with pytest.raises((CommandError, SystemExit)):
        call_command("token", cast.planner.username, "--organisatie", "²")
    assert not ApiToken.objects.exists()
