"""The small world the topology test works in, created by a `regiotafel shell` subprocess.

This file is not imported by the test process: its text is run with ``regiotafel shell -c``
against the topology's own database, exactly as an operator's one-off script would run, so
the test never writes that database through its own connection. It prints one line,
``WORLD {json}``, with the ids, the API tokens and the analyst's password.

One region where nobody needs a second factor (tokens never do; the analyst logs in with a
password to upload plans through the pages), holds that last one minute, ten free beds.
"""

import json
import secrets

from regiotafel.accounts.models import RegionSecurity, SecondFactor
from regiotafel.capacity.models import Bed, BedType, CapacitySettings, TargetGroup
from regiotafel.core import services
from regiotafel.core.models import (
    Location,
    Membership,
    Municipality,
    Organisation,
    OrganisationType,
    Region,
    Role,
    User,
)
from regiotafel.plans.services import ensure_default_framework

region = Region.objects.create(name="Topologie", slug="topologie")
RegionSecurity.objects.create(region=region, second_factor=SecondFactor.OFF)
CapacitySettings.objects.create(
    region=region, hold_minutes=1, max_holds_without_case_per_organisation=100
)
town = Municipality.objects.create(cbs_code="GM9901", name="Proefdorp", region=region)
rap = Organisation.objects.create(
    name="Aanmeldpunt Topologie", type=OrganisationType.AANMELDPUNT, region=region
)
provider = Organisation.objects.create(
    name="Zorghuis Topologie", type=OrganisationType.VVT, region=region, municipality=town
)
location = Location.objects.create(
    organisation=provider, name="Zorghuis Proefdorp", municipality=town
)
elv = BedType.objects.get(code="elv-hoog", region=None)
beds = [
    Bed.objects.create(
        location=location, bed_type=elv, target_group=TargetGroup.SOMATISCH, label=f"T{i}"
    ).pk
    for i in range(1, 11)
]
password = secrets.token_urlsafe(18)
triagist = User.objects.create_user(username="topo-triagist", password=password)
analyst = User.objects.create_user(username="topo-analist", password=password)
Membership.objects.create(user=triagist, organisation=rap, role=Role.TRIAGIST)
Membership.objects.create(user=analyst, organisation=rap, role=Role.REGIO_ANALIST)
world = {
    "region": region.pk,
    "framework": ensure_default_framework().pk,
    "beds": beds,
    "password": password,
    "analyst": analyst.username,
    "triagist_token": services.issue_token(user=triagist, organisation=rap, name="topologie"),
    "analyst_token": services.issue_token(user=analyst, organisation=rap, name="topologie"),
}
print("WORLD " + json.dumps(world))
