"""Management information of the bed board: occupancy over time, claims and what became of
them, declines with reasons, placements within the target, and the cases that found no bed in
the region (referred elsewhere: the "tekorten" the region must discuss).

Occupancy over time is reconstructed from ``BedStatusChange``: a bed's status at a moment is
its last change before it, or — with no change before it — the status its first later change
started from, or its current status.
"""

from __future__ import annotations

import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from regiotafel.capacity import cases as case_rules
from regiotafel.capacity.models import (
    Bed,
    BedStatus,
    BedStatusChange,
    Case,
    CaseState,
    Claim,
    ClaimState,
)
from regiotafel.core.tabular import csv_writer, write_xlsx


@dataclass(frozen=True)
class Summary:
    start: datetime
    end: datetime
    claims: int
    claims_by_state: dict
    decline_reasons: list[tuple[str, int]]
    cases_registered: int
    cases_placed: int
    placed_within_target: int
    median_hours: float | None
    p90_hours: float | None
    no_bed_in_region: list[tuple[str, str]]  # (case reference, reason)


def summary(*, region, start: datetime, end: datetime) -> Summary:
    claims = Claim.objects.filter(
        bed__location__municipality__region=region, created_at__gte=start, created_at__lt=end
    )
    states = Counter(claims.values_list("state", flat=True))
    reasons = Counter(
        claims.filter(state=ClaimState.GEWEIGERD).values_list("decline_reason", flat=True)
    )
    region_cases = Case.objects.filter(municipality__region=region).select_related("municipality")
    placed = list(region_cases.filter(placed_at__gte=start, placed_at__lt=end))
    hours = [c.hours_to_placement() for c in placed]
    referred = region_cases.filter(
        state=CaseState.DOORVERWEZEN, closed_at__gte=start, closed_at__lt=end
    )
    return Summary(
        start=start,
        end=end,
        claims=sum(states.values()),
        claims_by_state={str(ClaimState(s).label): n for s, n in sorted(states.items())},
        decline_reasons=reasons.most_common(),
        cases_registered=region_cases.filter(
            registered_at__gte=start, registered_at__lt=end
        ).count(),
        cases_placed=len(placed),
        placed_within_target=sum(bool(case_rules.within_target(c)) for c in placed),
        median_hours=round(statistics.median(hours), 1) if hours else None,
        p90_hours=round(statistics.quantiles(hours, n=10, method="inclusive")[-1], 1)
        if len(hours) > 1
        else (round(hours[0], 1) if hours else None),
        no_bed_in_region=[(c.reference, _last_reason(c)) for c in referred],
    )


def _last_reason(case: Case) -> str:
    last = case.transitions.filter(to_state=CaseState.DOORVERWEZEN).last()
    return last.reason if last else ""


def occupancy_series(
    *, region, start: datetime, end: datetime, step: timedelta = timedelta(hours=1)
) -> list[dict]:
    """Per moment, subregion and bed type: beds, occupied, reserved, free and occupancy %."""
    beds = {
        b["pk"]: b
        for b in Bed.objects.filter(location__municipality__region=region).values(
            "pk", "status", "bed_type__name", "location__municipality__subregion__name"
        )
    }
    changes = list(
        BedStatusChange.objects.filter(bed_id__in=beds, at__gt=start)
        .order_by("at", "pk")
        .values_list("bed_id", "from_status", "to_status", "at")
    )
    state = {pk: b["status"] for pk, b in beds.items()}
    for bed_id, from_status, _to, _at in reversed(changes):
        state[bed_id] = from_status  # walk back to the status at `start`
    series, index, moment = [], 0, start
    while moment <= end:
        while index < len(changes) and changes[index][3] <= moment:
            state[changes[index][0]] = changes[index][2]
            index += 1
        series.extend(_snapshot(moment, beds, state))
        moment += step
    return series


def _snapshot(moment: datetime, beds: dict, state: dict) -> list[dict]:
    groups: dict[tuple, Counter] = defaultdict(Counter)
    for pk, bed in beds.items():
        key = (
            bed["location__municipality__subregion__name"] or _("(geen subregio)"),
            bed["bed_type__name"],
        )
        groups[key]["totaal"] += 1
        groups[key][state[pk]] += 1
    return [
        {
            "tijdstip": moment,
            "subregio": subregion,
            "beddentype": bed_type,
            "bedden": c["totaal"],
            "bezet": c[BedStatus.BEZET],
            "gereserveerd": c[BedStatus.GERESERVEERD],
            "vrij": c[BedStatus.NIET_BEZET],
            "bezetting_pct": round(100 * c[BedStatus.BEZET] / c["totaal"], 1),
        }
        for (subregion, bed_type), c in sorted(groups.items())
    ]


def summary_rows(s: Summary) -> list[tuple[str, object]]:
    rows = [
        (_("reserveringen"), s.claims),
        *(
            (_("reserveringen: %(state)s") % {"state": state}, n)
            for state, n in s.claims_by_state.items()
        ),
        (_("casussen aangemeld"), s.cases_registered),
        (_("casussen geplaatst"), s.cases_placed),
        (_("geplaatst binnen de norm"), s.placed_within_target),
        (_("uren tot plaatsing, mediaan"), s.median_hours),
        (_("uren tot plaatsing, 90e percentiel"), s.p90_hours),
        (_("geen bed in de regio (doorverwezen)"), len(s.no_bed_in_region)),
    ]
    return rows


def to_csv(*, summary_: Summary, series: list[dict]) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([_("omschrijving"), _("waarde")])
    writer.writerows(summary_rows(summary_))
    writer.writerow([])
    writer.writerow([_("reden van weigering"), _("aantal")])
    writer.writerows(summary_.decline_reasons)
    writer.writerow([])
    if series:
        writer.writerow(list(series[0]))
        writer.writerows([row["tijdstip"].isoformat(), *list(row.values())[1:]] for row in series)
    return out.getvalue()


def to_xlsx(*, summary_: Summary, series: list[dict]) -> bytes:
    occupancy = [[row["tijdstip"].replace(tzinfo=None), *list(row.values())[1:]] for row in series]
    return write_xlsx(
        {
            _("Samenvatting"): [[_("omschrijving"), _("waarde")], *summary_rows(summary_)],
            _("Weigeringen"): [
                [_("reden van weigering"), _("aantal")],
                *summary_.decline_reasons,
            ],
            _("Bezetting"): [list(series[0]), *occupancy] if series else [],
        }
    )


def occupancy_figure(series: list[dict]):
    import plotly.graph_objects as go

    per_type: dict[str, dict] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in series:
        point = per_type[row["beddentype"]][row["tijdstip"]]
        point[0] += row["bezet"]
        point[1] += row["bedden"]
    figure = go.Figure(
        [
            go.Scatter(
                x=list(points),
                y=[round(100 * b / t, 1) for b, t in points.values()],
                name=bed_type,
                mode="lines",
            )
            for bed_type, points in sorted(per_type.items())
        ]
    )
    figure.update_layout(
        title=_("Bezetting per beddentype (%)"), yaxis_title=_("bezet (%)"), yaxis_range=[0, 100]
    )
    return figure


def claims_figure(s: Summary):
    import plotly.graph_objects as go

    figure = go.Figure(go.Bar(x=list(s.claims_by_state), y=list(s.claims_by_state.values())))
    figure.update_layout(title=_("Reserveringen en wat ermee gebeurde"), yaxis_title=_("aantal"))
    return figure
