from django.urls import path, re_path

from regiotafel.waitlist import views

app_name = "waitlist"
urlpatterns = [
    path("", views.waiting_list, name="list"),
    path("clienten/<int:client_id>/", views.client_detail, name="client"),
    path(
        "clienten/<int:client_id>/dossierhouder/",
        views.assign_dossierhouder,
        name="dossierhouder",
    ),
    path("doorplaatsing/", views.onward_list, name="onward"),
    path(
        "doorplaatsing/<int:onward_id>/<str:action>/",
        views.onward_action,
        name="onward-action",
    ),
    path("importeren/", views.import_page, name="import"),
    path("importeren/afgekeurd/<int:report_id>.csv", views.rejected_rows, name="rejected"),
    path("sjabloon.csv", views.template_csv, name="template"),
    path("dubbelen/", views.duplicate_list, name="duplicates"),
    path(
        "dubbelen/<int:candidate_id>/<str:action>/", views.duplicate_action, name="duplicate-action"
    ),
    path("samenvoegingen/<int:merge_id>/ongedaan/", views.merge_undo, name="merge-undo"),
    path("plaatsing/", views.placement_page, name="placement"),
    path("plaatsing/<str:action>/", views.placement_action, name="placement-action"),
    path("cijfers/", views.figures_page, name="figures"),
    re_path(r"^cijfers/export\.(?P<fmt>csv|xlsx)$", views.figures_export, name="figures-export"),
]
