"""Demo data for the gap analysis: the documented example parameter file of Zuid-Holland
Noord as the demo region's parameter set, with its projection computed once (so the first
visit to the page is quick). Idempotent: an unchanged example adds nothing."""

from __future__ import annotations

from regiotafel.core.models import Region
from regiotafel.projection import services
from regiotafel.projection.models import ParameterSet


def seed(*, region: Region, organisations: dict) -> None:
    from regiotafel.projection import runner

    path = runner.demo_params_path()
    text = path.read_text(encoding="utf-8")
    latest = services.current_parameter_set(region)
    if latest is None or (latest.created_by_id is None and latest.text != text):
        # A newer example replaces an older seeded one; an analyst's own upload is kept.
        parsed = services.parse_parameters(text, filename=path.name)
        latest = ParameterSet.objects.create(
            region=region,
            name=str(parsed.name)[:200],
            version=(latest.version + 1) if latest else 1,
            text=text,
            filename=path.name,
        )
    services.load_projection(latest)
