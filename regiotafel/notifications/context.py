"""The unread count for the header badge, computed only when a page shows it."""

from __future__ import annotations


def badge(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:
        from regiotafel.notifications import inbox

        if not hasattr(request, "_unread_notifications"):
            request._unread_notifications = inbox.unread_count(user)
        return request._unread_notifications

    return {"notifications_unread": unread}
