from django.contrib.auth import views as auth_views
from django.db import transaction
from django.urls import path, reverse_lazy

from regiotafel.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path(
        "wachtwoord/",
        # One transaction: the new password and its audit event are written together.
        transaction.atomic(
            views.PasswordChangeView.as_view(
                template_name="accounts/password_change.html",
                success_url=reverse_lazy("accounts:password-changed"),
            )
        ),
        name="password-change",
    ),
    path(
        "wachtwoord/gewijzigd/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_changed.html"),
        name="password-changed",
    ),
    path("tweestaps/instellen/", views.setup, name="setup"),
    path("tweestaps/controleren/", views.verify, name="verify"),
]
