"""Computing a region's projection as a job on the task queue, so no page waits for the engine.

The gap-analysis page asks :func:`ensure_ready`: a projection already in the shared store (or
this process' memory) is shown at once; otherwise one job per parameter file and platform
data (deduplicated through the shared cache for ``COMPUTING_SECONDS``) computes it on a
worker, and the page polls with htmx until it is there. With ``TASKS_BACKEND=immediate``
(tests) the job runs at once and the page shows the numbers straight away.
"""

from __future__ import annotations

from django.core.cache import cache
from django_tasks import task

from regiotafel.projection import services, store
from regiotafel.projection.models import ParameterSet

COMPUTING_SECONDS = 600  # a second job for the same key only after this (a lost job)


@task()
def compute(parameter_set_id: int) -> str:
    """Compute (or find) the projection of a parameter set and store it for every process."""
    parameter_set = ParameterSet.objects.filter(pk=parameter_set_id).first()
    if parameter_set is None:
        return f"parameterset {parameter_set_id} bestaat niet meer"
    services.load_projection(parameter_set)
    return f"parameterset {parameter_set_id} berekend"


def _key(parameter_set: ParameterSet) -> str:
    platform = services.platform_supply(parameter_set.text, parameter_set.region)
    return services.cache_key(parameter_set.text, platform)


def is_ready(parameter_set: ParameterSet) -> bool:
    key = _key(parameter_set)
    return key in services._memory or store.load(key) is not None


def ensure_ready(parameter_set: ParameterSet) -> bool:
    """True when the projection can be shown now; else its job is queued (once) and False."""
    if is_ready(parameter_set):
        return True
    if cache.add(f"projectie-berekenen:{_key(parameter_set)}", 1, COMPUTING_SECONDS):
        compute.enqueue(parameter_set.pk)
    return is_ready(parameter_set)
