"""What a provider planner does: set a bed's status and confirm a location's availability."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.capacity import claims
from regiotafel.capacity.models import MANUAL_STATUSES, Bed, BedStatus, BedStatusChange, Location
from regiotafel.core import permissions
from regiotafel.core.models import User


@transaction.atomic
def set_status(
    *, user: User, bed_id: int, status: str, reason: str = "", now: datetime | None = None
) -> Bed:
    """Change a bed's status by hand; a reserved bed is changed only through its claim."""
    now = now or timezone.now()
    bed = (
        Bed.objects.select_for_update()
        .select_related("location__municipality")
        .filter(pk=bed_id)
        .first()
    )
    if bed is None:
        raise errors.NotFound(_("Bed niet gevonden."), code="bed-niet-gevonden")
    permissions.check(user, "bedden.bijwerken", bed)
    if claims.release_expired_for_bed(bed, now=now):
        bed.refresh_from_db()
    if status not in MANUAL_STATUSES:
        raise errors.InvalidInput(
            _("Status '%(status)s' kan niet met de hand worden gezet.") % {"status": status},
            code="status-niet-handmatig",
            errors=[
                errors.FieldError(
                    "status",
                    _("Kies een van: %(options)s.")
                    % {"options": ", ".join(sorted(MANUAL_STATUSES))},
                )
            ],
        )
    if bed.status == BedStatus.GERESERVEERD and not bed.is_free(now):
        raise errors.Conflict(
            _("Bed %(bed)s is gereserveerd; bevestig of weiger eerst de reservering.")
            % {"bed": bed},
            code="bed-gereserveerd",
        )
    if bed.status != status:
        BedStatusChange.objects.create(
            bed=bed, from_status=bed.status, to_status=status, at=now, by=user, reason=reason
        )
        bed.status, bed.held_until, bed.status_changed_at = status, None, now
        bed.save(update_fields=["status", "held_until", "status_changed_at"])
    _confirm(bed.location, user=user, now=now)
    return bed


@transaction.atomic
def confirm_availability(*, user: User, location_id: int, now: datetime | None = None) -> Location:
    """The planner states that the beds of a location are as shown, now."""
    location = permissions.get_for(
        user, "bedden.bijwerken", Location.objects.select_related("municipality"), pk=location_id
    )
    _confirm(location, user=user, now=now or timezone.now())
    return location


def _confirm(location: Location, *, user: User, now: datetime) -> None:
    location.confirmed_at, location.confirmed_by = now, user
    location.save(update_fields=["confirmed_at", "confirmed_by"])
