"""The waiting-list figures as CSV (semicolon, for Dutch spreadsheets) and XLSX."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from regiotafel.core.tabular import csv_writer, write_xlsx

SECTIONS = [
    ("by_status", gettext_noop("Per wachtstatus")),
    ("by_profile", gettext_noop("Per zorgprofiel")),
    ("by_municipality", gettext_noop("Per gemeente")),
    ("inflow", gettext_noop("Instroom per maand")),
    ("outflow", gettext_noop("Uitstroom per maand")),
]


def rows(figures: dict) -> list[tuple[str, str, object]]:
    """(section, key, value) for every figure, headline numbers first."""
    out = [
        (_("Totaal"), _("wachtende inschrijvingen"), figures["waiting"]),
        (_("Totaal"), _("wachtende cliënten"), figures["clients_waiting"]),
        (_("Wachttijd"), _("mediaan (dagen)"), figures["median_days"]),
        (_("Wachttijd"), _("90e percentiel (dagen)"), figures["p90_days"]),
        (_("Dubbele inschrijvingen"), _("gevonden"), figures["duplicates_found"]),
        (_("Dubbele inschrijvingen"), _("samengevoegd"), figures["duplicates_merged"]),
        (_("Dubbele inschrijvingen"), _("te beoordelen"), figures["duplicates_open"]),
    ]
    for key, title in SECTIONS:
        out += [(_(title), str(k), v) for k, v in figures[key].items()]
    return out


def to_csv(figures: dict) -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow([_("onderdeel"), _("omschrijving"), _("waarde")])
    writer.writerows(rows(figures))
    return buffer.getvalue()


def to_xlsx(figures: dict) -> bytes:
    header = [_("onderdeel"), _("omschrijving"), _("waarde")]
    return write_xlsx({_("Wachtlijstcijfers"): [header, *rows(figures)]})
