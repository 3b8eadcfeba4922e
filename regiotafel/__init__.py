"""Regiotafel: the shared platform for a Dutch elderly-care region."""

__version__ = "0.1.0"
