"""The report's pure computation, without a database: every table adds up, whatever the data."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regiotafel.portfolio import report
from regiotafel.portfolio.models import Impact, OrganisationsBand, Scalability, Shareable, Status
from regiotafel.portfolio.registry import FUNDERS, THEMES

pytestmark = pytest.mark.unit

states = st.builds(
    report.ProjectState,
    theme=st.sampled_from(THEMES),
    funder=st.sampled_from(FUNDERS),
    start_year=st.sampled_from([2018, 2019, 2020, 2021]),
    start_year_last=st.just(2021),
    status=st.sampled_from(Status.values),
    impact=st.sampled_from(Impact.values),
    shareable=st.sampled_from(Shareable.values),
    scalability=st.sampled_from(Scalability.values),
    organisations=st.sampled_from(OrganisationsBand.values),
)


@given(st.lists(states, max_size=60), st.lists(states, max_size=60))
def test_every_count_table_adds_up_to_the_number_of_projects(before, after):
    snapshots = [
        report.Snapshot(date(2020, 3, 1), before),
        report.Snapshot(date(2020, 10, 1), after),
    ]
    for build in (
        report.project_status,
        report.impact,
        report.shareable_results,
        report.scalability,
    ):
        table = build(snapshots)
        assert table.total[1] == [len(before), len(after), len(after) - len(before)]
        assert [sum(c[i] for _l, c in table.rows) for i in range(3)] == table.total[1]


@given(st.lists(states, max_size=60), st.lists(states, max_size=60))
def test_table_5_bands_and_its_note_account_for_every_project(before, after):
    snapshots = [
        report.Snapshot(date(2020, 3, 1), before),
        report.Snapshot(date(2020, 10, 1), after),
    ]
    table = report.organisations_involved(snapshots)
    assert table.total is None
    assert [label for label, _c in table.rows] == ["1 tot 3", "4 tot 6", "7 tot 9", "Meer dan 10"]
    for index, states_then in enumerate((before, after)):
        unknown = sum(1 for s in states_then if s.organisations == "onbekend")
        assert sum(c[index] for _l, c in table.rows) == len(states_then) - unknown
        assert f"{unknown} van de {len(states_then)} projecten" in table.note


def test_an_unknown_row_is_printed_only_when_some_project_is_unknown():
    known = report.ProjectState(
        "Technologie", "CZ", 2018, 2019, "lopend", "klein_veel", "ja", "regio", "1-3"
    )
    unknown = report.ProjectState(
        "Technologie", "CZ", 2018, 2019, "lopend", "onbekend", "ja", "regio", "1-3"
    )
    march, october = date(2020, 3, 1), date(2020, 10, 1)
    only_known = report.impact([report.Snapshot(october, [known])])
    assert "Nog onbekend" not in dict(only_known.rows)
    earlier_unknown = report.impact(
        [report.Snapshot(march, [unknown]), report.Snapshot(october, [known])]
    )
    assert dict(earlier_unknown.rows)["Nog onbekend"] == [1, 0, -1]


@given(st.lists(states, max_size=80))
def test_theme_by_funder_adds_up_both_ways(found):
    table = report.theme_by_funder(report.Snapshot(date(2020, 10, 1), found), THEMES, FUNDERS)
    assert table.total[1][-1] == len(found)
    assert all(cells[-1] == sum(cells[:-1]) for _label, cells in table.rows)


def test_table_7_splits_on_the_reference_year_and_rounds_as_published():
    old = report.ProjectState(
        "Technologie", "CZ", 2018, 2019, "lopend", "onbekend", "ja", "regio", "1-3"
    )
    new = report.ProjectState(
        "Anders werken", "CZ", 2020, 2020, "lopend", "onbekend", "ja", "regio", "1-3"
    )
    later = report.ProjectState(
        "Anders werken", "CZ", 2021, 2021, "lopend", "onbekend", "ja", "regio", "1-3"
    )
    table = report.new_projects_by_theme(
        report.Snapshot(date(2020, 11, 1), [old, new, later, later]), THEMES
    )
    assert table.columns[:3] == ["Start 2020", "Start 2021", "Totaal 2020-2021"]
    rows = dict(table.body())
    assert rows["Anders werken"] == [1, 2, 3, "100,0%", 0, "0,00%"]
    assert rows["Technologie"] == [0, 0, 0, "0,0%", 1, "100,00%"]


def test_table_7_names_a_single_year_once():
    state = report.ProjectState(
        "Anders werken", "CZ", 2021, 2021, "lopend", "onbekend", "ja", "regio", "1-3"
    )
    earlier = report.ProjectState(
        "Anders werken", "CZ", 2020, 2020, "lopend", "onbekend", "ja", "regio", "1-3"
    )
    table = report.new_projects_by_theme(
        report.Snapshot(date(2021, 3, 1), [state, earlier]), THEMES
    )
    assert table.columns == [
        "Start 2021",
        "Totaal 2021",
        "Procentueel",
        "Aanvang 2020",
        "Procentueel",
    ]


def test_percentages_are_written_the_dutch_way():
    assert report.percent(4, 113, 1) == "3,5%"
    assert report.percent(21, 205, 2) == "10,24%"
    assert report.percent(0, 0, 1) == "0,0%"


def test_phase_tables_prefer_region_scores_over_published_counts():
    october = date(2020, 10, 1)
    rows = [report.PhaseRow("A", october, 4, 3, 5), report.PhaseRow("B", october, 3, 3, 5)]
    published = {
        (october, "afspraken_convenanten", 4): 30,
        (date(2019, 3, 1), "afspraken_convenanten", 4): 16,
    }
    table = report.phase_tables(rows, published)[0]
    assert dict(table.body())["Fase 4: Implementatiefase"] == [16, 1]
    assert "mrt 2019" in table.note
