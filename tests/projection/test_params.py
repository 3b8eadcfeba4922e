"""Parameters are refused with the file, the field and the reason, in Dutch."""

import json
from pathlib import Path

import pytest
import yaml

from regiotafel import errors
from regiotafel.projection import params, runner

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def minimal(**changes) -> dict:
    data = {
        "versie": 1,
        "naam": "Test",
        "regio": "Testregio",
        "regiocode": "TR",
        "basisjaar": 2020,
        "eindjaar": 2025,
        "producten": {
            "verpleeghuis_pg": {"gebruik": [{"leeftijd": "80+", "man": 0.1, "vrouw": 0.2}]}
        },
        "scenarios": {"basis": {}},
    }
    data.update(changes)
    return data


def refusal(data: dict, source="p.yaml") -> errors.InvalidInput:
    with pytest.raises(errors.InvalidInput) as caught:
        params.parse(yaml.safe_dump(data), source=source)
    return caught.value


def fields(error: errors.InvalidInput) -> dict[str, str]:
    return {e.field: e.message for e in error.errors}


def test_the_documented_example_loads_into_typed_objects():
    loaded = params.load(ROOT / "examples" / "projectie-zhn.yaml")
    assert loaded.region == "Zuid-Holland Noord"
    assert loaded.region_code == "ZHN"
    assert loaded.scenario_names == ["basis", "midden", "groei"]
    assert "verpleeghuis" in loaded.products and "personeel" in loaded.products
    assert loaded.draws > 0 and isinstance(loaded.seed, int)


def test_the_packaged_example_is_byte_identical_to_the_documented_one():
    documented = (ROOT / "examples" / "projectie-zhn.yaml").read_bytes()
    assert runner.demo_params_path().read_bytes() == documented


def test_json_is_read_as_well_as_yaml():
    loaded = params.parse(json.dumps(minimal()), source="p.json")
    assert loaded.products == ["verpleeghuis_pg", "verpleeghuis"]
    flow = params.parse(
        "{versie: 1, naam: a, regio: b, regiocode: c, basisjaar: 2020, "
        "eindjaar: 2021, producten: {elv: {gebruik: [{leeftijd: 85+, man: 0, "
        "vrouw: 0.1}]}}, scenarios: {basis: {}}}",
        source="p.yaml",
    )
    assert flow.products == ["elv"]
    with pytest.raises(errors.InvalidInput, match="p.json is geen geldige YAML of JSON"):
        params.parse("{versie: 1}", source="p.json")


def test_it_refuses_a_rate_above_one():
    data = minimal()
    data["producten"]["verpleeghuis_pg"]["gebruik"][0]["man"] = 1.5
    error = refusal(data)
    assert "p.yaml" in str(error)
    assert fields(error) == {
        "producten.verpleeghuis_pg.gebruik[0].man": "een kans of aandeel moet tussen 0 en 1 liggen"
    }


def test_it_refuses_a_negative_rate_inside_an_interval():
    data = minimal()
    data["producten"]["verpleeghuis_pg"]["gebruik"][0]["vrouw"] = {
        "waarde": 0.1,
        "p10": -0.1,
        "p90": 0.2,
    }
    assert "producten.verpleeghuis_pg.gebruik[0].vrouw" in fields(refusal(data))


def test_it_refuses_an_interval_that_does_not_hold_its_value():
    data = minimal()
    data["producten"]["verpleeghuis_pg"]["trend"] = {"waarde": 0.1, "p10": 0.2, "p90": 0.3}
    assert fields(refusal(data)) == {
        "producten.verpleeghuis_pg.trend": "een interval moet p10 <= waarde <= p90 hebben"
    }


def test_it_refuses_an_unknown_key_anywhere():
    data = minimal(extra=1)
    data["producten"]["verpleeghuis_pg"]["tarief"] = 3
    assert fields(refusal(data)) == {
        "extra": "onbekende sleutel",
        "producten.verpleeghuis_pg.tarief": "onbekende sleutel",
    }


def test_it_refuses_an_unknown_product_and_a_bad_age_band():
    data = minimal()
    data["producten"]["kapper"] = data["producten"]["verpleeghuis_pg"]
    data["producten"]["verpleeghuis_pg"]["gebruik"][0]["leeftijd"] = "tachtig"
    found = fields(refusal(data))
    assert found["producten.kapper"].startswith("moet een van verpleeghuis_pg, ")
    assert found["producten.kapper"].endswith(" of wijkverpleging zijn")  # Dutch, no repr
    assert "leeftijdsband" in found["producten.verpleeghuis_pg.gebruik[0].leeftijd"]


def test_it_refuses_overlapping_bands_and_text_for_a_number():
    data = minimal()
    data["producten"]["verpleeghuis_pg"]["gebruik"].append(
        {"leeftijd": "85-89", "man": "veel", "vrouw": 0.1}
    )
    found = fields(refusal(data))
    assert found["producten.verpleeghuis_pg.gebruik[1].man"] == "verwacht een getal"


def test_it_refuses_additions_for_a_product_it_does_not_know():
    data = minimal(
        scenarios={"groei": {"toevoegingen": [{"product": "vpt", "plaatsen": 10, "jaar": 2022}]}}
    )
    assert fields(refusal(data)) == {
        "scenarios.groei.toevoegingen[0].product": "onbekend product: vpt (bekend: "
        "verpleeghuis_pg, verpleeghuis_somatisch, vpt, elv, wijkverpleging, verpleeghuis, "
        "personeel)"
    }


def test_it_refuses_levers_and_capacity_for_products_the_file_does_not_define():
    data = minimal(
        substitutie=[
            {
                "naam": "x",
                "van": "verpleeghuis_pg",
                "naar": "vpt",
                "aandeel": 0.1,
                "vanaf": 2021,
                "volledig": 2022,
            }
        ],
        later_instroom=[{"product": "elv", "jaren": 1, "vanaf": 2021, "volledig": 2022}],
        aanbod={"verpleeghuis_pg": {"GM0546": -3}, "wijkverpleging": "basisjaar"},
    )
    assert set(fields(refusal(data))) == {
        "substitutie[0].naar",
        "later_instroom[0].product",
        "aanbod.verpleeghuis_pg.GM0546",
        "aanbod.wijkverpleging",
    }


def test_it_refuses_a_missing_field_and_an_unsupported_version():
    data = minimal()
    del data["regiocode"]
    assert fields(refusal(data)) == {"regiocode": "ontbreekt"}
    with pytest.raises(errors.InvalidInput, match="versie 2 wordt niet ondersteund"):
        params.parse(yaml.safe_dump(minimal(versie=2)), source="p.yaml")


def test_a_file_without_a_version_is_told_so_without_a_programming_value():
    with pytest.raises(errors.InvalidInput) as refused:
        params.parse(yaml.safe_dump(minimal(versie=None)), source="p.yaml")
    assert refused.value.code == "versie-niet-ondersteund"
    assert "None" not in refused.value.detail
    assert "noemt geen versie" in refused.value.detail


def test_it_names_the_file_when_it_is_not_yaml(tmp_path):
    path = tmp_path / "kapot.yaml"
    path.write_text("versie: [1\n", encoding="utf-8")
    with pytest.raises(errors.InvalidInput, match="kapot.yaml is geen geldige YAML"):
        params.load(path)
    with pytest.raises(errors.NotFound, match="bestaat niet"):
        params.load(tmp_path / "weg.yaml")


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("versie: 1\nx: " + "[" * 5000 + "]" * 5000, "p.yaml"),
        ("versie: 1\nx: " + "{a: " * 5000 + "1" + "}" * 5000, "p.yaml"),
        ('{"versie": 1, "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "p.json"),
        ("versie: 1\nbasisjaar: " + "9" * 5000, "p.yaml"),
        ('{"versie": 1, "basisjaar": ' + "9" * 5000 + "}", "p.json"),
    ],
    ids=["nested-yaml-lists", "nested-yaml-maps", "nested-json", "long-yaml-int", "long-json-int"],
)
def test_a_file_nested_too_deep_or_with_a_too_long_number_is_refused_not_a_crash(text, source):
    with pytest.raises(errors.InvalidInput) as refused:
        params.parse(text, source=source)
    assert refused.value.code == "ongeldige-yaml"
    assert source in refused.value.detail


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ('versie: 1\nnaam: "Zorgkloof \\ud800"\n', "p.yaml"),
        ('versie: 1\nscenarios: {"\\udc00": {}}\n', "p.yaml"),
        ('versie: 1\nnaam: "Zorgkloof \\0"\n', "p.yaml"),
        ('{"versie": 1, "naam": "a\\u0000b"}', "p.json"),
        ('{"versie": 1, "scenarios": {"\\ud800": {}}}', "p.json"),
    ],
    ids=["surrogate-value", "surrogate-key", "nul-yaml", "nul-json", "surrogate-json"],
)
def test_a_nul_or_a_lone_surrogate_anywhere_is_refused_before_it_reaches_a_page(text, source):
    with pytest.raises(errors.InvalidInput) as refused:
        params.parse(text, source=source)
    assert refused.value.code == "ongeldig-teken"


def test_shared_aliases_are_checked_once_not_once_per_use():
    laughs = "versie: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 10)
    )
    with pytest.raises(errors.InvalidInput) as refused:
        params.parse(laughs, source="p.yaml")
    assert refused.value.code == "ongeldige-parameters"


def test_it_says_on_which_line_the_file_stops_being_yaml_or_json():
    broken = "versie: 1\nnaam: a\n  regio: b\n"
    with pytest.raises(errors.InvalidInput, match=r"p\.yaml .* op regel 3, kolom 8"):
        params.parse(broken, source="p.yaml")
    with pytest.raises(errors.InvalidInput, match=r"p\.json .* op regel 2, kolom 1"):
        params.parse('{"versie": 1,\n}', source="p.json")
