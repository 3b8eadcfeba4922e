"""Which access rule guards every route and every API operation.

One table, keyed by URL name (pages) and by OpenAPI operation id (the JSON API): the actions
(``core.permissions``) a route may ask, or an explicit marker for routes that need none.
``tests/test_route_access.py`` walks the URL resolver and the OpenAPI document and fails on a
route or operation missing here, on an action that is not registered, and on a route that
lets through someone every one of its actions refuses. Add a line here with every new route.

The table lives apart from the views on purpose: the views stay thin and unchanged, and the
whole access map of the platform reads on one page.
"""

from __future__ import annotations

PUBLIC = "public"  # no login: sign-in pages, static chart library, OpenAPI document
SIGNED_IN = "signed-in"  # any signed-in user, about their own account or session only
STAFF = "staff"  # Django's admin site: its own is_staff / model-permission checks

# URL names whose every route belongs to one marker (the Django admin site).
NAMESPACES = {"admin": STAFF}

ROUTES: dict[str, str | tuple[str, ...]] = {
    # foundation
    "login": PUBLIC,
    "logout": PUBLIC,
    "home": SIGNED_IN,
    "switch-organisation": SIGNED_IN,
    "accounts:account": SIGNED_IN,
    "accounts:password-change": SIGNED_IN,
    "accounts:password-changed": SIGNED_IN,
    "accounts:setup": SIGNED_IN,
    "accounts:verify": SIGNED_IN,
    "auditlog": ("auditlog.bekijken",),
    "auditlog-export": ("auditlog.bekijken",),
    "members": ("medewerkers.bekijken", "medewerkers.beheren"),
    "plotly-js": PUBLIC,
    "health": PUBLIC,  # /gezond: figures for load balancers, no personal data
    "api-v1:openapi-json": PUBLIC,
    "api-v1:openapi-view": PUBLIC,
    "api-v1:api-root": PUBLIC,
    # capacity
    "capacity:board": ("beschikbaarheid.bekijken",),
    "capacity:reserve": ("bed.reserveren",),
    "capacity:location-confirm": ("bedden.bijwerken",),
    "capacity:cases": ("casus.bekijken",),
    "capacity:case-new": ("casus.aanmelden", "casus.telefonisch_aanmelden"),
    "capacity:case": ("casus.bekijken",),
    "capacity:case-transition": ("casus.behandelen",),
    "capacity:case-hand-over": ("casus.behandelen",),
    "capacity:case-triage": ("casus.trieren",),
    "capacity:triage": ("casus.trieren",),
    "capacity:claims": ("reservering.intrekken", "reservering.beslissen"),
    "capacity:claim-action": ("reservering.intrekken", "reservering.beslissen", "casus.behandelen"),
    "capacity:report": ("capaciteit.rapportage",),
    "capacity:report-export": ("capaciteit.rapportage",),
    "capacity:beds": ("bedden.bijwerken",),
    "capacity:bed-status": ("bedden.bijwerken",),
    # waiting list
    "waitlist:list": ("wachtlijst.cijfers", "wachtlijst.client.bekijken"),
    "waitlist:client": ("wachtlijst.client.bekijken",),
    "waitlist:dossierhouder": ("wachtlijst.dossierhouder_toewijzen",),
    "waitlist:onward": ("doorplaatsing.bekijken",),
    "waitlist:onward-action": ("doorplaatsing.bijwerken",),
    "waitlist:import": ("wachtlijst.beheren",),
    "waitlist:rejected": ("wachtlijst.beheren",),
    "waitlist:template": PUBLIC,  # an empty CSV with the column names
    "waitlist:duplicates": ("wachtlijst.ontdubbelen",),
    "waitlist:duplicate-action": ("wachtlijst.ontdubbelen",),
    "waitlist:merge-undo": ("wachtlijst.ontdubbelen",),
    "waitlist:placement": ("wachtlijst.plaatsen",),
    "waitlist:placement-action": ("wachtlijst.plaatsen",),
    "waitlist:figures": ("wachtlijst.cijfers",),
    "waitlist:figures-export": ("wachtlijst.cijfers",),
    # gap analysis
    "projection:index": ("zorgkloof.bekijken",),
    "projection:export": ("zorgkloof.bekijken",),
    "projection:parameters": ("zorgkloof.bekijken", "zorgkloof.parameters.beheren"),
    "projection:parameter-file": ("zorgkloof.bekijken", "zorgkloof.parameters.beheren"),
    # portfolio
    "portfolio:index": ("portfolio.bekijken",),
    "portfolio:project-export": ("portfolio.bekijken",),
    "portfolio:project": ("portfolio.bekijken", "portfolio.beheren"),
    "portfolio:import": ("portfolio.beheren", "regiofasen.vastleggen"),
    "portfolio:report": ("portfolio.bekijken",),
    "portfolio:report-download": ("portfolio.bekijken",),
    "portfolio:vision": ("portfolio.bekijken", "portfolio.beheren"),
    "portfolio:kpis": ("portfolio.bekijken", "portfolio.beheren"),
    "portfolio:dashboard": ("portfolio.bekijken", "regio.analyseren"),
    # plan analysis
    "plans:index": ("plannen.bekijken",),
    "plans:upload": ("plannen.beheren",),
    "plans:plan": ("plannen.bekijken",),
    "plans:progress": ("plannen.bekijken",),
    "plans:rescore": ("plannen.beheren",),
    "plans:delete": ("plannen.beheren",),
    "plans:review": ("plannen.bekijken", "plannen.coderen"),
    "plans:judge": ("plannen.coderen",),
    "plans:code": ("plannen.coderen",),
    "plans:matrix": ("plannen.vergelijken",),
    "plans:matrix-export": ("plannen.vergelijken",),
    "plans:compare": ("plannen.vergelijken",),
    "plans:evaluation": ("plannen.vergelijken",),
    "plans:calibrate": ("raamwerk.beheren",),
    "plans:frameworks": ("plannen.bekijken", "raamwerk.beheren"),
    "plans:framework": ("plannen.bekijken", "raamwerk.beheren"),
    "plans:vocabulary": ("raamwerk.beheren",),
    "plans:codebook": ("plannen.bekijken",),
    # notifications: a user's own only (every query starts from recipient=user)
    "notifications:list": SIGNED_IN,
    "notifications:badge": SIGNED_IN,
    "notifications:preferences": SIGNED_IN,
    "notifications:read-all": SIGNED_IN,
    "notifications:read": SIGNED_IN,
}

# OpenAPI operation ids of regiotafel.api.api.
OPERATIONS: dict[str, str | tuple[str, ...]] = {
    "regiotafel_core_api_me": SIGNED_IN,
    "regiotafel_core_api_regions": ("regio.bekijken",),
    "regiotafel_core_api_region": ("regio.bekijken",),
    "regiotafel_core_api_municipalities": ("regio.bekijken",),
    "regiotafel_core_api_municipality": ("regio.bekijken",),
    "regiotafel_core_api_organisations": ("organisatie.bekijken",),
    "regiotafel_core_api_organisation": ("organisatie.bekijken",),
    "regiotafel_core_api_audit_events": ("auditlog.bekijken",),
    "regiotafel_capacity_api_availability_list": ("beschikbaarheid.bekijken",),
    "regiotafel_capacity_api_bed_update": ("bedden.bijwerken",),
    "regiotafel_capacity_api_location_confirm": ("bedden.bijwerken",),
    "regiotafel_capacity_api_claim_create": ("bed.reserveren",),
    "regiotafel_capacity_api_claim_detail": ("reservering.intrekken", "reservering.beslissen"),
    "regiotafel_capacity_api_claim_withdraw": ("reservering.intrekken",),
    "regiotafel_capacity_api_claim_link": ("reservering.intrekken", "casus.behandelen"),
    "regiotafel_capacity_api_claim_extend": ("reservering.intrekken",),
    "regiotafel_capacity_api_claim_confirm": ("reservering.beslissen",),
    "regiotafel_capacity_api_claim_decline": ("reservering.beslissen",),
    "regiotafel_capacity_api_case_list": ("casus.bekijken",),
    "regiotafel_capacity_api_case_create": ("casus.aanmelden",),
    "regiotafel_capacity_api_case_detail": ("casus.bekijken",),
    "regiotafel_capacity_api_case_transition": ("casus.behandelen",),
    "regiotafel_capacity_api_case_hand_over": ("casus.behandelen",),
    "regiotafel_capacity_api_fhir_locations": ("beschikbaarheid.bekijken",),
    "regiotafel_capacity_api_fhir_measure_report": ("beschikbaarheid.bekijken",),
    "regiotafel_capacity_api_case_fhir": ("casus.bekijken",),
    "regiotafel_waitlist_api_registration_list": ("wachtlijst.client.bekijken",),
    "regiotafel_waitlist_api_client_detail": ("wachtlijst.client.bekijken",),
    "regiotafel_waitlist_api_figures": ("wachtlijst.cijfers", "wachtlijst.client.bekijken"),
    "regiotafel_projection_api_gap": ("zorgkloof.bekijken",),
    "regiotafel_portfolio_api_project_list": ("portfolio.bekijken",),
    "regiotafel_portfolio_api_report": ("portfolio.bekijken",),
    "regiotafel_portfolio_api_dashboard": ("portfolio.bekijken",),
    "regiotafel_plans_api_plan_list": ("plannen.bekijken",),
    "regiotafel_plans_api_plan_proposals": ("plannen.bekijken",),
    "regiotafel_plans_api_plan_matrix": ("plannen.vergelijken",),
    "regiotafel_notifications_api_notification_list": SIGNED_IN,
    "regiotafel_notifications_api_unread": SIGNED_IN,
    "regiotafel_notifications_api_mark_all_read": SIGNED_IN,
    "regiotafel_notifications_api_mark_read": SIGNED_IN,
    "regiotafel_notifications_api_preference_list": SIGNED_IN,
    "regiotafel_notifications_api_preference_update": SIGNED_IN,
}


def rule_for_route(name: str | None, route: str = ""):
    """The declared rule of a URL name (None: undeclared)."""
    if name in ROUTES:
        return ROUTES[name]
    namespace = (name or route.split("/", 1)[0]).split(":", 1)[0] if (name or route) else ""
    return NAMESPACES.get(namespace)
