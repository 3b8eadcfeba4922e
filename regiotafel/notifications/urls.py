from django.urls import path

from regiotafel.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("teller.json", views.badge, name="badge"),
    path("voorkeuren/", views.preferences, name="preferences"),
    path("gelezen/", views.mark_all_read, name="read-all"),
    path("<int:melding_id>/gelezen/", views.mark_read, name="read"),
]
