"""Management information of the bed board: occupancy over time, claims and what became of
them, declines with reasons, placements within the target, and the cases that found no bed in
the region (referred elsewhere: the "tekorten" the region must discuss).

The registration point's own figures (:class:`RapFigures`, seed 004: "op basis van cijfermatig
inzicht te monitoren of er aanpassingen nodig zijn in de bestaande capaciteit"): cases per
outcome, time to placement against the norm per urgency, claims per outcome, crisis beds past
the onward-placement deadline, and the share of referrals the RAP handled.

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
    CaseOutcome,
    CaseState,
    Claim,
    ClaimState,
    Urgency,
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
    rap: RapFigures | None = None


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
        rap=rap_figures(region=region, start=start, end=end),
    )


# ---------------------------------------------------------------- the registration point (RAP)

OUTCOME_OPEN = "open"  # no outcome yet (the case is still running)
CLAIM_OUTCOMES = (
    ClaimState.BEVESTIGD,
    ClaimState.GEWEIGERD,
    ClaimState.VERLOPEN,
    ClaimState.INGETROKKEN,
    ClaimState.ACTIEF,
)


@dataclass(frozen=True)
class NormRow:
    urgency: str  # the stored value (spoed, zelfde_dag, vandaag, planbaar)
    label: str
    placed: int
    within_norm: int
    median_hours: float | None
    norm_hours: list[int]  # the norms that applied (more than one when bed types differ)

    @property
    def within_pct(self) -> float | None:
        return round(100 * self.within_norm / self.placed, 1) if self.placed else None


@dataclass(frozen=True)
class RapFigures:
    """Cases registered in the period (their outcome so far), claims made in the period, and
    the crisis beds whose onward-placement deadline has passed at the end of the period."""

    cases: int
    by_outcome: dict  # outcome value -> count; "open" for cases without an outcome yet
    norms: list[NormRow]
    claims_by_outcome: dict  # claim state value -> count
    onward_overdue: list[tuple[str, str, int]]  # (case reference, location, days past)
    handled_by_rap: int  # cases handed over to or registered by the registration point

    @property
    def rap_share_pct(self) -> float | None:
        return round(100 * self.handled_by_rap / self.cases, 1) if self.cases else None

    def outcome_labels(self) -> dict[str, str]:
        labels = {o.value: str(o.label) for o in CaseOutcome}
        labels[OUTCOME_OPEN] = _("nog lopend")
        return labels

    def claim_rows(self) -> list[tuple[str, int]]:
        labels = {s.value: str(s.label) for s in ClaimState}
        return [(labels[s], n) for s, n in self.claims_by_outcome.items()]

    def outcome_chart(self):
        from regiotafel.core import charts

        return charts.fragment(outcome_figure(self))

    def norm_chart(self):
        from regiotafel.core import charts

        return charts.fragment(norm_figure(self))


def rap_figures(*, region, start: datetime, end: datetime) -> RapFigures:
    from regiotafel.core.models import OrganisationType
    from regiotafel.waitlist.models import OnwardPlacement, OnwardState

    cases = list(
        Case.objects.filter(
            municipality__region=region, registered_at__gte=start, registered_at__lt=end
        ).select_related("municipality", "referrer_organisation", "handled_by")
    )
    outcomes = Counter(c.outcome or OUTCOME_OPEN for c in cases)
    by_outcome = {o: outcomes.get(o, 0) for o in [*CaseOutcome.values, OUTCOME_OPEN]}
    per_urgency: dict[str, list[Case]] = defaultdict(list)
    case_rules.annotate_norms([c for c in cases if c.placed_at is not None])  # one query
    for case in cases:
        if case.placed_at is not None:
            per_urgency[case.urgency].append(case)
    norms = []
    for urgency in Urgency:
        placed = per_urgency.get(urgency.value, [])
        hours = [c.hours_to_placement() for c in placed]
        norms.append(
            NormRow(
                urgency=urgency.value,
                label=str(urgency.label),
                placed=len(placed),
                within_norm=sum(bool(case_rules.within_target(c)) for c in placed),
                median_hours=round(statistics.median(hours), 1) if hours else None,
                norm_hours=sorted({case_rules.target_hours(c) for c in placed}),
            )
        )
    claim_states = Counter(
        Claim.objects.filter(
            bed__location__municipality__region=region, created_at__gte=start, created_at__lt=end
        ).values_list("state", flat=True)
    )
    overdue = (
        OnwardPlacement.objects.filter(
            bed__location__municipality__region=region,
            state=OnwardState.OPEN,
            deadline__lte=end,
        )
        .select_related("case", "bed__location")
        .order_by("deadline")
    )
    rap = OrganisationType.AANMELDPUNT
    return RapFigures(
        cases=len(cases),
        by_outcome=by_outcome,
        norms=norms,
        claims_by_outcome={s.value: claim_states.get(s.value, 0) for s in CLAIM_OUTCOMES},
        onward_overdue=[
            (o.case.reference, o.bed.location.name, (end - o.deadline).days) for o in overdue
        ],
        handled_by_rap=sum(
            1
            for c in cases
            if c.handled_by_id is not None
            or getattr(c, "phoned_in", False)
            or c.referrer_organisation.type == rap
        ),
    )


def rap_rows(r: RapFigures) -> list[tuple[str, object]]:
    labels = r.outcome_labels()
    claim_labels = {s.value: str(s.label) for s in ClaimState}
    rows: list[tuple[str, object]] = [(_("RAP: casussen aangemeld"), r.cases)]
    rows += [
        (_("RAP: uitkomst %(outcome)s") % {"outcome": labels[o]}, n)
        for o, n in r.by_outcome.items()
    ]
    for row in r.norms:
        rows += [
            (_("RAP: %(u)s geplaatst") % {"u": row.label}, row.placed),
            (_("RAP: %(u)s binnen de norm") % {"u": row.label}, row.within_norm),
            (_("RAP: %(u)s binnen de norm (%%)") % {"u": row.label}, row.within_pct),
            (_("RAP: %(u)s uren tot plaatsing, mediaan") % {"u": row.label}, row.median_hours),
        ]
    rows += [
        (_("RAP: reserveringen %(state)s") % {"state": claim_labels[s]}, n)
        for s, n in r.claims_by_outcome.items()
    ]
    rows += [
        (_("RAP: crisisbedden over de doorplaatsingstermijn"), len(r.onward_overdue)),
        (_("RAP: verwijzingen via het RAP"), r.handled_by_rap),
        (_("RAP: aandeel verwijzingen via het RAP (%)"), r.rap_share_pct),
    ]
    return rows


def outcome_figure(r: RapFigures):
    import plotly.graph_objects as go

    labels = r.outcome_labels()
    figure = go.Figure(go.Bar(x=[labels[o] for o in r.by_outcome], y=list(r.by_outcome.values())))
    figure.update_layout(title=_("Casussen per uitkomst"), yaxis_title=_("casussen"))
    return figure


def norm_figure(r: RapFigures):
    import plotly.graph_objects as go

    figure = go.Figure(
        [
            go.Bar(
                x=[n.label for n in r.norms],
                y=[n.within_norm for n in r.norms],
                name=_("binnen de norm"),
            ),
            go.Bar(
                x=[n.label for n in r.norms],
                y=[n.placed - n.within_norm for n in r.norms],
                name=_("buiten de norm"),
            ),
        ]
    )
    figure.update_layout(
        title=_("Plaatsingen binnen de norm per urgentie"),
        yaxis_title=_("geplaatst"),
        barmode="stack",
    )
    return figure


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
    if summary_.rap is not None:
        writer.writerow([_("registratiepunt (RAP)"), _("waarde")])
        writer.writerows(rap_rows(summary_.rap))
        writer.writerow([])
    if summary_.rap is not None and summary_.rap.onward_overdue:
        writer.writerow([_("crisisbed over de termijn: casus"), _("locatie"), _("dagen over")])
        writer.writerows(summary_.rap.onward_overdue)
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
            _("RAP"): [[_("omschrijving"), _("waarde")], *rap_rows(summary_.rap)]
            if summary_.rap
            else [],
            _("Doorplaatsing"): [
                [_("casus"), _("locatie"), _("dagen over de termijn")],
                *(summary_.rap.onward_overdue if summary_.rap else []),
            ],
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
