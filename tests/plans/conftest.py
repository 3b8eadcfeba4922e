"""Plan texts and documents shared by the analysis-core tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from regiotafel.core.demo import DATA_DIR

SEEDS = DATA_DIR / "seeds"

# Four paragraphs on different subjects, as a regional plan would write them.
MANTELZORG = (
    "Mantelzorgondersteuning krijgt in alle dertien gemeenten een vaste plek. Een "
    "mantelzorgconsulent helpt naasten die langdurig voor een oudere zorgen, en met "
    "respijtzorg en logeeropvang voorkomen we dat zij overbelast raken. Gemeenten maken "
    "afspraken met de zorgaanbieders over de inzet van vrijwilligers bij het ontlasten."
)
VALPREVENTIE = (
    "Valpreventie is het eerste gerichte preventieprogramma dat we regionaal uitrollen. "
    "Fysiotherapeuten en de wijkverpleging signaleren ouderen met een verhoogd valrisico en "
    "bieden hun een beweegprogramma aan. Vallen is de belangrijkste oorzaak van letsel bij "
    "thuiswonende ouderen en leidt vaak tot een opname in het ziekenhuis."
)
WONEN = (
    "Samen met de woningcorporaties bouwen de gemeenten tot 2030 ruim tweeduizend "
    "geclusterde seniorenwoningen en nieuwe woonvormen tussen thuis en het verpleeghuis. "
    "Zo kunnen ouderen langer zelfstandig wonen in een woning die bij hun situatie past, "
    "dicht bij voorzieningen in hun eigen kern."
)
FINANCIEN = (
    "De begroting van de samenwerking bedraagt jaarlijks vier ton, verdeeld over de "
    "deelnemende organisaties naar rato van hun omzet. De penningmeester legt elk kwartaal "
    "verantwoording af aan het bestuur over de uitgaven en de reserves van de regio, en de "
    "accountant controleert de jaarrekening van de zorgorganisaties."
)
PARAGRAPHS = [MANTELZORG, VALPREVENTIE, WONEN, FINANCIEN]


@pytest.fixture
def plan_text() -> str:
    """A small plain-text plan: a heading and four paragraphs, blank lines between."""
    return "Regioplan Testregio\n\n" + "\n\n".join(PARAGRAPHS) + "\n"


@pytest.fixture
def seed_004() -> Path:
    return next(SEEDS.glob("004_*.txt"))
