"""State shared by every process and machine: Django's cache framework, configured here.

``settings.py`` builds ``CACHES`` with :func:`regiotafel.sharedstate.config.caches` (no Django
import at that point); :mod:`regiotafel.sharedstate.cache` holds the small helpers the
application uses; the migration creates the database cache tables.
"""
