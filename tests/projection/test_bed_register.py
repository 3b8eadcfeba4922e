"""Supply from the platform: ``aanbod: {elv: beddenregister}`` counts the ELV beds of the
region's bed register per municipality; outside the platform it is refused."""

import pytest

from regiotafel import errors
from regiotafel.capacity.models import Bed, BedType, TargetGroup
from regiotafel.core.models import Location, Municipality
from regiotafel.projection import params, runner, services
from tests.projection.conftest import demo_text

REGISTER_TEXT = demo_text(draws=0).replace("  elv: basisjaar\n", "  elv: beddenregister\n", 1)


def add_beds(location, code: str, count: int, start: int = 0) -> None:
    bed_type = BedType.objects.get(code=code, region=None)
    for i in range(start, start + count):
        Bed.objects.create(
            location=location,
            bed_type=bed_type,
            target_group=TargetGroup.SOMATISCH,
            label=f"{code}-{i}",
        )


@pytest.fixture
def register(cast, settings, projection_cache):
    settings.DATA_DIR = projection_cache
    leiden = Municipality.objects.get(cbs_code="GM0546")
    katwijk = Municipality.objects.create(cbs_code="GM0537", name="Katwijk", region=cast.region)
    in_leiden = Location.objects.create(
        organisation=cast.own, name="Rijnhof Leiden", municipality=leiden
    )
    in_katwijk = Location.objects.create(
        organisation=cast.own, name="Rijnhof Katwijk", municipality=katwijk
    )
    add_beds(in_leiden, "elv-hoog", 6)
    add_beds(in_leiden, "elv-palliatief", 2)
    add_beds(in_katwijk, "elv-laag", 3)
    add_beds(in_katwijk, "grz", 5)  # geriatric rehabilitation: not ELV
    return in_leiden


def supply_2020(user, region, code):
    view = services.gap_view(user=user, region=region, product="elv")
    rows = view.series[(view.series["gemeente"] == code) & (view.series["jaar"] == 2020)]
    return rows["aanbod"].iloc[0]


@pytest.mark.integration
def test_the_elv_supply_is_the_count_of_elv_beds_in_the_register(cast, register):
    services.save_parameter_set(
        user=cast.analyst, region=cast.region, text=REGISTER_TEXT, filename="register.yaml"
    )
    assert supply_2020(cast.analyst, cast.region, "GM0546") == 8
    assert supply_2020(cast.analyst, cast.region, "GM0537") == 3
    assert supply_2020(cast.analyst, cast.region, "GM0484") == 0  # no beds registered
    assert supply_2020(cast.analyst, cast.region, "ZHN") == 11


@pytest.mark.integration
def test_a_bed_added_to_the_register_changes_the_projection(cast, register):
    services.save_parameter_set(
        user=cast.analyst, region=cast.region, text=REGISTER_TEXT, filename="register.yaml"
    )
    assert supply_2020(cast.analyst, cast.region, "GM0546") == 8
    add_beds(register, "elv-laag", 2, start=100)
    assert supply_2020(cast.analyst, cast.region, "GM0546") == 10


@pytest.mark.unit
def test_outside_the_platform_the_register_is_refused_before_computing():
    parsed = params.parse(REGISTER_TEXT, source="register.yaml")
    with pytest.raises(errors.InvalidInput, match="beddenregister bestaat alleen") as caught:
        runner.run(parsed)
    assert [e.field for e in caught.value.errors] == ["aanbod.elv"]


@pytest.mark.unit
def test_the_register_is_refused_for_anything_but_elv():
    text = REGISTER_TEXT.replace(
        "  wijkverpleging: basisjaar\n", "  wijkverpleging: beddenregister\n"
    )
    with pytest.raises(errors.InvalidInput) as caught:
        params.parse(text, source="p.yaml")
    assert [(e.field, e.message) for e in caught.value.errors] == [
        (
            "aanbod.wijkverpleging",
            "het beddenregister telt alleen ELV-bedden: gebruik het alleen bij aanbod.elv",
        )
    ]
