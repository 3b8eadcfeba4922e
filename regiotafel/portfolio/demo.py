"""Demo data for the portfolio: the national register and phases as published, the ZHN agenda
(seed 004 goals and action lines, seed 000 programme lines), the Kennemerland vision map
(seed 001) and the ZHN KPIs of seed 004 §5.

What is invented for the demo, and says so: which of the (region-anonymised) national projects
belong to Zuid-Holland Noord, Amstelland/Meerlanden and Kennemerland, their links to vision
and agenda points, a later assessment of the ZHN projects (March 2021), and every KPI
measurement marked ``is_demo``. Idempotent: a second run changes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from regiotafel.core.demo import DATA_DIR
from regiotafel.core.models import Region
from regiotafel.portfolio import imports
from regiotafel.portfolio.models import (
    AgendaItem,
    AgendaKind,
    Assessment,
    Kpi,
    KpiDirection,
    KpiLevel,
    KpiMeasurement,
    PhaseCount,
    Project,
    Status,
    VisionGroup,
)

PROJECTS_FILE = DATA_DIR / "transitieprojecten_2020-10.csv"
PHASES_FILE = DATA_DIR / "regio_fasen_2020-10.csv"
TOTALS_FILE = DATA_DIR / "regio_fasen_totalen.csv"
LATER = date(2021, 3, 1)  # the demo's invented second assessment of the ZHN projects

GOALS = ["Gezond en betekenisvol leven", "Beter oud worden", "Versterken mentale gezondheid"]
ACTION_LINES = [
    "Gezonde leefstijl en gezondheidsvaardigheden",
    "Chronische aandoeningen",
    "Coördinatie en capaciteit",
    "Kwetsbare ouderen",
    "Acute zorg",
    "GGZ/Mentaal welbevinden",
    "Arbeidsmarkt",
    "Regionale domeinoverstijgende samenwerking",
    "Digitalisering",
]
PROGRAMME_LINES = [
    "Arbeidsmarkt: werving en behoud van medewerkers",
    "Digitalisering, innovatie en inzet van zorgtechnologie",
    "(Ver)bouwen en wonen",
    "Betrokken gemeenschappen en samenwerking in de keten",
    "Opleiden en scholen",
    "Kennisontwikkeling en kwaliteit van zorg",
]
# theme of a project -> (action line, programme line) it serves in the demo
THEME_LINKS = {
    "Anders opleiden / samenwerking met onderwijs": ("Arbeidsmarkt", "Opleiden en scholen"),
    "Anders werken": ("Arbeidsmarkt", "Arbeidsmarkt: werving en behoud van medewerkers"),
    "Nieuwe professionals aantrekken": (
        "Arbeidsmarkt",
        "Arbeidsmarkt: werving en behoud van medewerkers",
    ),
    "Professionals behouden": ("Arbeidsmarkt", "Arbeidsmarkt: werving en behoud van medewerkers"),
    "Leren en verbeteren": ("Arbeidsmarkt", "Kennisontwikkeling en kwaliteit van zorg"),
    "Technologie": ("Digitalisering", "Digitalisering, innovatie en inzet van zorgtechnologie"),
    "Samenwerking in de keten": (
        "Kwetsbare ouderen",
        "Betrokken gemeenschappen en samenwerking in de keten",
    ),
    "Behandelfunctie / SOG": ("Kwetsbare ouderen", "Kennisontwikkeling en kwaliteit van zorg"),
    "Persoonsgerichte zorg": ("Kwetsbare ouderen", "Kennisontwikkeling en kwaliteit van zorg"),
    "Regionale strategievorming": (
        "Regionale domeinoverstijgende samenwerking",
        "Betrokken gemeenschappen en samenwerking in de keten",
    ),
}

# Seed 001: group -> heading -> points; "*" marks the points the boards took up together.
KENNEMERLAND_VISION = {
    VisionGroup.CLIENTEN: {
        "We bevorderen dat mensen zo lang mogelijk hun zelfstandigheid en kwaliteit van leven "
        "behouden": [
            "*We stellen de instroom van cliënten in de Wlz zo lang mogelijk uit.",
            "*We helpen cliënten met een Wlz-indicatie zolang mogelijk thuis te wonen.",
            "We werken meer aan het behoud van zelfstandigheid en kwaliteit van leven bezien "
            "vanuit de cliënt.",
            "We schatten in of achter de zorgvraag van cliënten niet een andere vraag zit, zoals "
            "eenzaamheid en pakken deze aan.",
        ],
        "We bieden zoveel mogelijk maatwerk om bij de specifieke behoefte van de cliënt aan te "
        "sluiten": [
            "We bieden naast zorg ook welzijn, zingeving en gastvrijheid.",
            "We geven cliënten met technologische oplossingen meer keuzevrijheid, zoals opstaan "
            "wanneer ze willen.",
            "We bieden bovenop ons basisarrangement extra modules tegen betaling (cafetariamodel).",
            "We helpen (potentiële) cliënten en naasten beter met hun vragen over zorg en "
            "welzijn, zoals met een klantcoach.",
            "*We bieden cliënten de maatwerkexpertise die zij nodig hebben, eventueel vanuit "
            "verschillende organisaties.",
        ],
    },
    VisionGroup.MEDEWERKERS: {
        "We investeren in de inzetbaarheid van onze (potentiële) medewerkers": [
            "*We stimuleren medewerkers te blijven leren en zich te ontwikkelen.",
            "*We definiëren regionale opleidingsdoelen om voldoende gekwalificeerde medewerkers "
            "te krijgen.",
        ],
        "We vergroten en verbreden de instroom van formele en informele medewerkers": [
            "*We blijven samenwerken aan het vergroten van de instroom van medewerkers door samen "
            "op te trekken.",
            "*We verbeteren het imago van de ouderenzorg onder (potentiële) medewerkers.",
            "We innoveren onze opleidings- en begeleidingsmogelijkheden voor nieuwe medewerkers.",
            "We vragen mantelzorgers en vrijwilligers om cliënten meer dagelijkse ondersteuning "
            "te geven.",
        ],
        "We verminderen de uitstroom van medewerkers": [
            "We bieden onze medewerkers loopbaanmogelijkheden, zowel verbreding als doorgroei "
            "naar andere functies.",
            "We behouden medewerkers voor de regio door gezamenlijk loopbaanperspectief te bieden.",
            "We bevorderen de duurzame inzetbaarheid van onze medewerkers om uitval door ziekte "
            "te voorkomen.",
            "We houden schaarse deskundigen voor de regio, zoals specialisten "
            "ouderengeneeskunde en verpleegkundig specialisten.",
        ],
    },
    VisionGroup.SAMENWERKING: {
        "We bieden in de regio gezamenlijk alle Wlz-zorg die cliënten nodig hebben": [
            "*We nemen gezamenlijk verantwoordelijkheid voor de continuïteit van complexe en "
            "acute zorg in de regio.",
        ],
        "We werken samen met ziekenhuizen, huisartsen, gemeenten en welzijnsaanbieders om de "
        "zorg te verbeteren": [
            "*We verbeteren de in-, door- en uitstroom van cliënten tussen zorg- en "
            "welzijnsaanbieders in de regio.",
            "*We werken samen met aanbieders uit andere sectoren aan kennisdeling.",
            "*We werken aan een regiodekkend ouderenzorgaanbod.",
            "*We formuleren een gezamenlijke visie op toekomstbestendige ict.",
            "*We bieden inzicht in elkaars beschikbare capaciteit voor cliënten.",
        ],
        "We werken samen met ketenpartners in de regio aan geschikte huisvesting": [
            "We werken met gemeenten en woningcorporaties aan geschikte huisvesting voor "
            "medewerkers en cliënten.",
            "We ontwikkelen met partners nieuwe woon-zorgconcepten die de zelfstandigheid van "
            "cliënten bevorderen.",
        ],
    },
    VisionGroup.ORGANISATIE: {
        "We bieden medewerkers een prettige werkomgeving": [
            "We laten zorgmedewerkers zoveel mogelijk zorgtaken uitvoeren en beleggen "
            "niet-zorgtaken elders.",
            "We verminderen de administratieve lasten voor medewerkers.",
            "We stellen technologie beschikbaar om het werk van onze medewerkers te ondersteunen.",
            "We zoeken hoe we om kunnen gaan met de voorkeuren van medewerkers om flexibel te "
            "werken.",
        ],
        "We verhogen de toegevoegde waarde van onze systemen en processen": [
            "We stemmen onze zorgprocessen rond formele zorg beter af op de informele zorg.",
            "*We verbeteren onze efficiëntie door te leren van andere sectoren.",
        ],
    },
    VisionGroup.CULTUUR: {
        "We kennen onze gezamenlijke visie en dragen deze uit": [
            "We zijn trots op ons werk en op de ouderenzorg en dragen dit uit.",
            "We zijn nieuwsgierig en gaan op zoek naar manieren om te leren en te innoveren.",
            "We zijn zelf verantwoordelijk voor onze loopbaan en onze ontwikkeling.",
        ],
    },
}
# theme of a Kennemerland demo project -> the first words of the vision point it serves
KENNEMERLAND_LINKS = {
    "Samenwerking in de keten": "We verbeteren de in-, door- en uitstroom",
    "Technologie": "We stellen technologie beschikbaar",
    "Nieuwe professionals aantrekken": "We verbeteren het imago",
    "Professionals behouden": "We bevorderen de duurzame inzetbaarheid",
    "Persoonsgerichte zorg": "We bieden cliënten de maatwerkexpertise",
    "Behandelfunctie / SOG": "We nemen gezamenlijk verantwoordelijkheid",
    "Anders opleiden / samenwerking met onderwijs": "We definiëren regionale opleidingsdoelen",
    "Regionale strategievorming": "We werken aan een regiodekkend",
    "Leren en verbeteren": "We stimuleren medewerkers te blijven leren",
    "Anders werken": "We laten zorgmedewerkers zoveel mogelijk",
}

# Seed 004 §5 and its action lines: name, unit, direction, baseline (year), target (year),
# level, action line, measurements (year, value) - all measurements are demo values except
# the 2021 staff shortage of 4.5%, which seed 004 publishes.
KPIS = [
    (
        "Personeelstekort zorg en welzijn",
        "% van de vraag",
        KpiDirection.LAGER,
        ("4.5", 2021),
        ("9.2", 2026),
        KpiLevel.OUTCOME,
        "Arbeidsmarkt",
        [(2021, "4.5", False), (2022, "5.3", True), (2023, "6.1", True), (2024, "6.6", True)],
        "Streven: het tekort komt in 2026 lager uit dan de geprognosticeerde 9,2%.",
    ),
    (
        "SEH-bezoek boven het landelijk gemiddelde (hoogste leeftijdsgroep)",
        "procentpunt",
        KpiDirection.LAGER,
        ("7", 2022),
        ("0", 2027),
        KpiLevel.OUTCOME,
        "Acute zorg",
        [(2022, "7", True), (2023, "6.2", True), (2024, "5.1", True)],
        "Eind 2027 is het SEH-bezoek in alle leeftijdsgroepen gelijk aan het landelijk "
        "gemiddelde (nu 2 tot 7% hoger).",
    ),
    (
        "Zorgkosten per inwoner",
        "euro per jaar",
        KpiDirection.LAGER,
        (None, None),
        (None, None),
        KpiLevel.OUTCOME,
        "Regionale domeinoverstijgende samenwerking",
        [(2022, "6120", True), (2023, "6390", True), (2024, "6610", True)],
        "Nog zonder streefwaarde: het monitoringsplan legt die vast.",
    ),
    (
        "Wachttijd verpleeghuiszorg (mediaan)",
        "dagen",
        KpiDirection.LAGER,
        ("98", 2022),
        ("60", 2026),
        KpiLevel.OUTPUT,
        "Coördinatie en capaciteit",
        [(2022, "98", True), (2023, "91", True), (2024, "84", True)],
        "",
    ),
    (
        "Ervaren gezondheid 65-plussers (goed of zeer goed)",
        "% van de inwoners",
        KpiDirection.HOGER,
        ("56", 2020),
        ("60", 2027),
        KpiLevel.OUTCOME,
        "Gezonde leefstijl en gezondheidsvaardigheden",
        [(2020, "56", True), (2022, "54.5", True), (2024, "55.2", True)],
        "",
    ),
]


@transaction.atomic
def seed(*, region: Region, organisations: dict, **_ignored) -> None:
    if not Project.objects.filter(code="P001").exists():
        imports.import_projects(source=PROJECTS_FILE)
        imports.import_phases(source=PHASES_FILE)
    _seed_phase_totals()
    amstelland = Region.objects.filter(name="Amstelland/Meerlanden").first()
    kennemerland = Region.objects.filter(name="Kennemerland").first()
    mine = _assign(region, funder="Z&Z", count=12)
    if amstelland:
        _assign(amstelland, funder="Z&Z", count=6)
    _seed_agenda(region, mine)
    _seed_later_assessment(mine)
    _seed_kpis(region, mine)
    if kennemerland:
        theirs = _assign(kennemerland, funder="Zilveren Kruis", count=10, distinct_themes=True)
        _seed_vision(kennemerland, theirs)


def _seed_phase_totals() -> None:
    """The published national counts per phase (March 2019 - October 2020) as history."""
    if not PhaseCount.objects.exists():
        imports.import_phase_totals(source=TOTALS_FILE)


def _assign(region: Region, *, funder: str, count: int, distinct_themes=False) -> list[Project]:
    """Give some region-less projects of the region's funder to the region (demo only)."""
    already = list(Project.objects.filter(region=region).select_related("theme"))
    if already:
        return already
    chosen, themes = [], set()
    for project in Project.objects.filter(region__isnull=True, funder__name=funder).select_related(
        "theme"
    ):
        if distinct_themes and project.theme_id in themes:
            continue
        themes.add(project.theme_id)
        chosen.append(project)
        if len(chosen) == count:
            break
    Project.objects.filter(pk__in=[p.pk for p in chosen]).update(region=region)
    return chosen


def _items(region: Region, kind: str, titles: list[str]) -> dict[str, AgendaItem]:
    return {
        title: AgendaItem.objects.get_or_create(
            region=region, kind=kind, title=title, defaults={"position": position}
        )[0]
        for position, title in enumerate(titles, start=1)
    }


def _seed_agenda(region: Region, projects: list[Project]) -> None:
    _items(region, AgendaKind.DOEL, GOALS)
    lines = _items(region, AgendaKind.ACTIELIJN, ACTION_LINES)
    programmes = _items(region, AgendaKind.PROGRAMMALIJN, PROGRAMME_LINES)
    for project in projects:
        line, programme = THEME_LINKS[project.theme.name]
        project.agenda_items.add(lines[line], programmes[programme])


def _seed_vision(region: Region, projects: list[Project]) -> None:
    points = []
    for group, headings in KENNEMERLAND_VISION.items():
        for position, (heading, children) in enumerate(headings.items(), start=1):
            parent, _new = AgendaItem.objects.get_or_create(
                region=region,
                kind=AgendaKind.VISIE_ELEMENT,
                title=heading,
                defaults={"group": group, "position": position},
            )
            for number, text in enumerate(children, start=1):
                point, _new = AgendaItem.objects.get_or_create(
                    region=region,
                    kind=AgendaKind.VISIE_ELEMENT,
                    title=text.lstrip("*"),
                    defaults={
                        "group": group,
                        "parent": parent,
                        "position": number,
                        "priority": text.startswith("*"),
                    },
                )
                points.append(point)
    for project in projects:
        start = KENNEMERLAND_LINKS.get(project.theme.name)
        point = next((p for p in points if start and p.title.startswith(start)), None)
        if point is not None:
            project.agenda_items.add(point)


def _seed_later_assessment(projects: list[Project]) -> None:
    """March 2021 (demo): projects not yet started have started; running ones keep going."""
    for project in projects:
        current = project.assessments.filter(valid_from__lt=LATER).order_by("-valid_from").first()
        if current is None or project.assessments.filter(valid_from=LATER).exists():
            continue
        status = Status.LOPEND if current.status == Status.NOG_NIET_GESTART else current.status
        Assessment.objects.create(
            project=project,
            valid_from=LATER,
            status=status,
            impact=current.impact,
            shareable=current.shareable,
            scalability=current.scalability,
            organisations=current.organisations,
        )


def _seed_kpis(region: Region, projects: list[Project]) -> None:
    lines = {i.title: i for i in AgendaItem.objects.filter(region=region)}
    for name, unit, direction, base, target, level, line, points, note in KPIS:
        kpi, created = Kpi.objects.get_or_create(
            region=region,
            name=name,
            defaults={
                "unit": unit,
                "direction": direction,
                "baseline": Decimal(base[0]) if base[0] else None,
                "baseline_year": base[1],
                "target": Decimal(target[0]) if target[0] else None,
                "target_year": target[1],
                "level": level,
                "agenda_item": lines.get(line),
                "description": note,
            },
        )
        if not created:
            continue
        for year, value, invented in points:
            KpiMeasurement.objects.create(
                kpi=kpi,
                date=date(year, 12, 31),
                value=Decimal(value),
                is_demo=invented,
                source="demowaarde" if invented else "regioplan IZA ZHN (seed 004)",
            )
        serving = [p for p in projects if lines.get(line) in p.agenda_items.all()]
        kpi.projects.add(*serving)
