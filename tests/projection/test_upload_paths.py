"""Nothing a user uploads can choose a server path.

A parameter file of the platform (uploaded on the page, stored, loaded for the page) may not
name a folder or file on the server: ``bevolking.cache`` is refused, whether it is absolute,
climbs out with ``../`` or is a symlink. Only an operator's own file on the command line may
name one. Uploaded plans keep their file name as a label only: the bytes are stored in the
database and nothing is written where the name points.
"""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from regiotafel import errors
from regiotafel.projection import cbs, params, services
from regiotafel.projection.models import ParameterSet
from tests.projection.conftest import demo_text

pytestmark = pytest.mark.integration


def with_cache(path: str, *, bron: str = "cbs") -> str:
    text = demo_text(draws=0)
    changed = text.replace(
        "  bron: demo ", f"  bron: {bron}\n  gemeenten: [GM0546]\n  cache: '{path}'\n  #", 1
    )
    assert changed != text
    return changed


@pytest.fixture
def no_statline(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a refused file reached the CBS loader")

    monkeypatch.setattr(cbs, "_cbs_data", refuse)
    monkeypatch.setattr(cbs, "_cbs_regions", refuse)
    monkeypatch.setattr(cbs.Loader, "_fetch", refuse)


@pytest.fixture
def symlink_out(tmp_path):
    """A harmless-looking folder name that points elsewhere on the server."""
    target = tmp_path / "elders"
    target.mkdir()
    link = tmp_path / "cbs-cache"
    os.symlink(target, link)
    return link, target


def upload(client, user, region, text: str):
    client.force_login(user)
    return client.post(
        reverse("projection:parameters"),
        {"regio": region.slug, "bestand": SimpleUploadedFile("p.yaml", text.encode())},
    )


@pytest.mark.parametrize(
    "path", ["/etc", "/etc/passwd", "../../../../etc", "..", "./cbs", "%2e%2e/%2e%2e"]
)
def test_an_uploaded_parameter_file_that_names_a_server_folder_is_refused(
    cast, zhn, client, no_statline, path
):
    response = upload(client, cast.analyst, cast.region, with_cache(path))
    assert response.status_code == 422
    assert "bevolking.cache" in response.content.decode()
    assert ParameterSet.objects.filter(region=cast.region).count() == 1


def test_a_symlinked_folder_is_refused_and_nothing_is_written_behind_it(
    cast, zhn, client, no_statline, symlink_out
):
    link, target = symlink_out
    response = upload(client, cast.analyst, cast.region, with_cache(str(link)))
    assert response.status_code == 422
    assert list(target.iterdir()) == []


def test_the_service_refuses_a_server_path_with_a_stable_code_naming_the_field(cast, zhn):
    with pytest.raises(errors.InvalidInput) as refused:
        services.save_parameter_set(
            user=cast.analyst, region=cast.region, text=with_cache("/etc"), filename="p.yaml"
        )
    assert refused.value.code == "ongeldige-parameters"
    assert [e.field for e in refused.value.errors] == ["bevolking.cache"]


def test_the_path_is_refused_for_the_demo_source_too(cast, zhn):
    with pytest.raises(errors.InvalidInput):
        services.parse_parameters(with_cache("/var/lib", bron="demo"), filename="p.yaml")


def test_a_stored_parameter_set_that_names_a_folder_is_never_followed(cast, zhn, no_statline):
    stored = ParameterSet.objects.create(
        region=cast.region, name="oud", version=2, text=with_cache("/etc"), filename="oud.yaml"
    )
    with pytest.raises(errors.InvalidInput):
        services.load_projection(stored)


def test_an_operators_own_file_on_the_command_line_may_name_its_cache_folder(tmp_path):
    loaded = params.parse(with_cache(str(tmp_path)), source="eigen.yaml")
    assert loaded.bevolking.cache == str(tmp_path)


def test_the_platforms_cbs_answers_go_to_the_shared_cache_not_to_a_folder(
    db, settings, tmp_path, monkeypatch
):
    settings.DATA_DIR = tmp_path
    monkeypatch.chdir(tmp_path)
    calls = []

    def fetch(table, query):
        calls.append(table)
        return [{"Key": "GM0546", "Title": "Leiden"}]

    first = cbs.Loader(None, fetch=fetch, regions=fetch).region_titles("03759ned")
    again = cbs.Loader(None, fetch=fetch, regions=fetch).region_titles("03759ned")
    assert first == again == {"Leiden": "GM0546"}
    assert calls == ["03759ned"]  # the second loader (another process) read the shared cache
    assert list(tmp_path.rglob("*.parquet")) == []


def test_an_uploaded_plans_name_is_a_label_and_nothing_is_written_where_it_points(
    cast, client, tmp_path, settings, django_capture_on_commit_callbacks
):
    from regiotafel.plans import services as plan_services
    from regiotafel.plans.models import Plan

    settings.DATA_DIR = tmp_path
    framework = plan_services.ensure_default_framework()
    client.force_login(cast.analyst)
    body = "Wij ondersteunen mantelzorgers met respijtzorg in elke gemeente.\n" * 20
    hostile = f"../../../..{tmp_path}/geplant.txt"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("plans:upload"),
            {
                "regio": cast.region.pk,
                "kader": framework.pk,
                "titel": "Plan",
                "versie": "1",
                "scorer": "lexicaal",
                "bestand": SimpleUploadedFile(hostile, body.encode()),
            },
        )
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert "/" not in plan.file_name and ".." not in plan.file_name
    assert bytes(plan.source) == body.encode()
    assert not (tmp_path / "geplant.txt").exists()
    assert list(tmp_path.rglob("geplant*")) == []


@pytest.mark.parametrize("hostile", ["/etc/passwd", "../../../../etc/passwd", "cbs-cache"])
def test_an_uploaded_tables_name_is_never_opened_as_a_path(hostile, tmp_path, monkeypatch):
    from regiotafel.core import tabular

    monkeypatch.chdir(tmp_path)
    os.symlink("/etc/passwd", tmp_path / "cbs-cache")  # a name that is a symlink here
    upload = SimpleUploadedFile(hostile, b"gemeente,aantal\nGM0546,3\n")
    table = tabular.read_table(upload, name=upload.name)
    assert table.columns == ["gemeente", "aantal"]
    assert [row for _, row in table.rows] == [{"gemeente": "GM0546", "aantal": "3"}]
    assert "/" not in table.name
