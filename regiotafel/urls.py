from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from regiotafel.api import api
from regiotafel.core import charts
from regiotafel.core import views as core_views
from regiotafel.ops import health

urlpatterns = [
    path("", core_views.home, name="home"),
    path("inloggen/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("regiotafel.accounts.urls")),
    path("organisatie/kiezen/", core_views.switch_organisation, name="switch-organisation"),
    path("beheer/auditlog/", core_views.auditlog, name="auditlog"),
    path("beheer/medewerkers/", core_views.members, name="members"),
    path("beheer/auditlog/export.csv", core_views.auditlog_export, name="auditlog-export"),
    path("capaciteit/", include("regiotafel.capacity.urls")),
    path("wachtlijst/", include("regiotafel.waitlist.urls")),
    path("zorgkloof/", include("regiotafel.projection.urls")),
    path("portfolio/", include("regiotafel.portfolio.urls")),
    path("plannen/", include("regiotafel.plans.urls")),
    path("meldingen/", include("regiotafel.notifications.urls")),
    path("grafieken/plotly.js", charts.plotly_js, name="plotly-js"),
    path("gezond", health.view, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
