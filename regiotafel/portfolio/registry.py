"""The built-in lists: the eleven themes and seven funders of the national register (seed 003,
table 4), in the published order. The first migration writes them; a region may add themes."""

THEMES = [
    "Anders opleiden / samenwerking met onderwijs",
    "Anders werken",
    "Behandelfunctie / SOG",
    "Efficiënt werken",
    "Leren en verbeteren",
    "Nieuwe professionals aantrekken",
    "Persoonsgerichte zorg",
    "Professionals behouden",
    "Regionale strategievorming",
    "Samenwerking in de keten",
    "Technologie",
]

FUNDERS = [
    "CZ",
    "Zilveren Kruis (De Friesland)",
    "ENO",
    "Menzis",
    "VGZ",
    "Zilveren Kruis",
    "Z&Z",
]
