"""Settings for benchmarks only: the product's settings plus a constant-answer endpoint.

``benchmarks/bed_board.py`` starts ``regiotafel serve`` with
``DJANGO_SETTINGS_MODULE=benchmarks.bench_settings``; the product's own URLs never hold the
floor endpoint.
"""

from regiotafel.settings import *  # noqa: F403 - the product's settings, unchanged

ROOT_URLCONF = "benchmarks.bench_urls"
