from regiotafel.core import navigation
from regiotafel.core.acting import acting_organisation, organisations_of


def navigation_context(request) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "nav_links": navigation.links_for(request),
        "acting_organisation": acting_organisation(request),
        "my_organisations": organisations_of(request.user),
    }
