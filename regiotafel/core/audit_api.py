"""API lists of personal data log what they return: the page of rows, as one read event."""

from __future__ import annotations

from regiotafel.core import audit
from regiotafel.core.limits import Pagination


class LoggedPagination(Pagination):
    """The project's pagination that also logs the page of personal records it returns as a
    read (``audit.record_reads``: within a request, one event naming every data subject)."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        result = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(result[self.items_attribute])
        result[self.items_attribute] = items
        audit.record_reads(items, detail={"api": request.path})
        return result
