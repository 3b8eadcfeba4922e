"""Finding, reviewing, merging and un-merging probable duplicate clients.

The same BSN is the same person (recognised at import, no review needed). Without a BSN,
``refresh_candidates`` proposes pairs above the similarity threshold; a person merges or
rejects each. A merge keeps everything needed to undo it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import audit, permissions
from regiotafel.core.models import AuditAction, User
from regiotafel.waitlist import identity
from regiotafel.waitlist.models import (
    CandidateState,
    Client,
    DuplicateCandidate,
    Merge,
    Registration,
    RegistrationState,
)

# Up to this many touched clients, load only the clients sharing a blocking key with them;
# beyond it (a bulk load), every waiting client (one query, fewer parameters than keys).
NEAR_LIMIT = 1_000


def _identities(near: set[int] | None = None):
    """Live clients with an open registration; with ``near``, only those that could pair with
    one of those clients: sharing its birth date or its stored name block (surname start and
    postcode area), and, for a client with a BSN, only partners without one."""
    live = Client.objects.filter(
        merged_into__isnull=True, registrations__state=RegistrationState.OPEN
    )
    if near is not None and len(near) <= NEAR_LIMIT:
        dates: dict[bool, set] = {False: set(), True: set()}  # by "the client has a BSN"
        names: dict[bool, set] = {False: set(), True: set()}
        for born, block, bsn_hash in Client.objects.filter(pk__in=near).values_list(
            "birth_date", "name_block", "bsn_hash"
        ):
            dates[bool(bsn_hash)].add(born)
            if block:
                names[bool(bsn_hash)].add(block)
        without_bsn = Q(bsn_hash__isnull=True) | Q(bsn_hash="")
        live = live.filter(
            Q(pk__in=near)
            | Q(birth_date__in=dates[False])
            | Q(name_block__in=names[False])
            | (without_bsn & (Q(birth_date__in=dates[True]) | Q(name_block__in=names[True])))
        )
    rows = live.values_list(
        "pk", "surname", "initials", "birth_date", "postcode", "gender", "bsn_hash", "name_key"
    ).distinct()
    for pk, surname, initials, born, postcode, gender, bsn_hash, name_key in rows:
        yield identity.Identity(
            pk, surname, initials, born, postcode, gender, bool(bsn_hash), name_key
        )


def refresh_candidates(*, client_ids: list[int] | set[int] | None = None) -> int:
    """Propose new probable duplicates (for the given clients, or all). Returns how many.

    Pairs already proposed (open, merged or rejected) are not proposed again; two clients that
    both have a BSN are different people and never proposed."""
    wanted = set(client_ids) if client_ids is not None else None
    if wanted is not None and not wanted:
        return 0
    people = list(_identities(near=wanted))
    known = set(DuplicateCandidate.objects.values_list("client_a_id", "client_b_id"))
    new = [
        DuplicateCandidate(client_a_id=m.a, client_b_id=m.b, score=m.score, reasons=list(m.reasons))
        for m in identity.probable_duplicates(people, involving=wanted)
        if (m.a, m.b) not in known
    ]
    with transaction.atomic():
        DuplicateCandidate.objects.bulk_create(new, batch_size=1000)
        audit.record_many(AuditAction.CREATE, new)
    return len(new)


def _open_candidate(candidate_id: int, user: User) -> DuplicateCandidate:
    candidate = DuplicateCandidate.objects.select_for_update().filter(pk=candidate_id).first()
    if candidate is None:
        raise errors.NotFound(
            _("Mogelijke dubbele inschrijving niet gevonden."), code="dubbele-niet-gevonden"
        )
    permissions.check(user, "wachtlijst.ontdubbelen", candidate)
    if candidate.state != CandidateState.OPEN:
        raise errors.Conflict(
            _("Deze mogelijke dubbele is al beoordeeld (%(state)s).")
            % {"state": candidate.get_state_display()},
            code="dubbele-al-beoordeeld",
        )
    return candidate


@transaction.atomic
def merge(*, user: User, candidate_id: int, keep: int | None = None) -> Merge:
    """Merge two clients into one: the registrations of one move to the other."""
    candidate = _open_candidate(candidate_id, user)
    pair = {candidate.client_a_id, candidate.client_b_id}
    survivor_id = keep if keep in pair else candidate.client_a_id
    survivor = Client.objects.select_for_update().get(pk=survivor_id)
    merged = Client.objects.select_for_update().get(pk=(pair - {survivor_id}).pop())
    if survivor.merged_into_id or merged.merged_into_id:
        raise errors.Conflict(
            _("Een van beide cliënten is intussen al samengevoegd."), code="client-al-samengevoegd"
        )
    if survivor.bsn_hash and merged.bsn_hash:
        raise errors.Conflict(
            _("Beide cliënten hebben een ander BSN; dit zijn twee personen."), code="ander-bsn"
        )
    moved = list(merged.registrations.values_list("pk", flat=True))
    audit.update(Registration.objects.filter(pk__in=moved), client=survivor)
    moved_hash = bool(merged.bsn_hash)
    if moved_hash:
        survivor.bsn_hash, merged.bsn_hash = merged.bsn_hash, None
        merged.save(update_fields=["bsn_hash"])
        survivor.save(update_fields=["bsn_hash"])
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into"])
    _decide(candidate, CandidateState.MERGED, user)
    return Merge.objects.create(
        survivor=survivor,
        merged=merged,
        candidate=candidate,
        moved_registrations=moved,
        moved_bsn_hash=moved_hash,
        by=user,
    )


@transaction.atomic
def reject(*, user: User, candidate_id: int, note: str = "") -> DuplicateCandidate:
    """Record that the two are different people; the pair is not proposed again."""
    candidate = _open_candidate(candidate_id, user)
    candidate.note = note[:300]
    _decide(candidate, CandidateState.REJECTED, user)
    return candidate


@transaction.atomic
def undo(*, user: User, merge_id: int) -> Merge:
    """Split a merge again: each registration goes back to the client it came from."""
    found = (
        Merge.objects.select_for_update()
        .select_related("survivor", "merged")
        .filter(pk=merge_id)
        .first()
    )
    if found is None:
        raise errors.NotFound(_("Samenvoeging niet gevonden."), code="samenvoeging-niet-gevonden")
    permissions.check(user, "wachtlijst.ontdubbelen", found.survivor)
    if found.undone_at:
        raise errors.Conflict(
            _("Deze samenvoeging is al ongedaan gemaakt."), code="samenvoeging-al-ongedaan"
        )
    survivor, merged = found.survivor, found.merged
    audit.update(Registration.objects.filter(pk__in=found.moved_registrations), client=merged)
    if found.moved_bsn_hash:
        merged.bsn_hash, survivor.bsn_hash = survivor.bsn_hash, None
        survivor.save(update_fields=["bsn_hash"])
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "bsn_hash"])
    if found.candidate_id:
        audit.update(
            DuplicateCandidate.objects.filter(pk=found.candidate_id),
            state=CandidateState.OPEN,
            reviewed_by=None,
            reviewed_at=None,
        )
    found.undone_by, found.undone_at = user, timezone.now()
    found.save(update_fields=["undone_by", "undone_at"])
    return found


def _decide(candidate: DuplicateCandidate, state: str, user: User) -> None:
    candidate.state, candidate.reviewed_by, candidate.reviewed_at = state, user, timezone.now()
    candidate.save(update_fields=["state", "reviewed_by", "reviewed_at", "note"])
