"""Versions of shared answers, kept in the database (the truth) so they survive cache loss.

:class:`BoardVersion` holds one row per region (``scope`` = the region's id) and one for
changes that touch every region (``scope`` = 0). Database triggers on the bed and location
tables bump the row of the region concerned in the writing transaction, whatever wrote the
row (a service, ``audit.update``, the admin site, a bulk import, raw SQL). See
:mod:`regiotafel.capacity.board_cache` and docs/capacity.md ("Cache van het bedbord").
"""

from django.db import models

EVERY_REGION = 0


class BoardVersion(models.Model):
    scope = models.PositiveIntegerField(primary_key=True)  # a region id; 0: every region
    number = models.BigIntegerField(default=0)  # how many changes (for people reading it)
    # Random on every bump: a restored backup or a rebuilt table can never hand out a
    # version an older cached answer was stored under.
    stamp = models.CharField(max_length=32)

    class Meta:
        verbose_name = "board version"

    def __str__(self) -> str:
        return f"{self.scope}: {self.number} ({self.stamp})"
