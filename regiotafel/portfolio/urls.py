from django.urls import path, re_path

from regiotafel.portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("", views.project_list, name="index"),
    re_path(r"^projecten\.(?P<fmt>csv|xlsx)$", views.project_export, name="project-export"),
    path("projecten/<int:project_id>/", views.project_detail, name="project"),
    path("importeren/", views.import_page, name="import"),
    path("rapport/", views.report_page, name="report"),
    re_path(
        r"^rapport\.(?P<fmt>html|csv|xlsx|pdf)$", views.report_download, name="report-download"
    ),
    path("visie/", views.vision_page, name="vision"),
    path("kpis/", views.kpi_page, name="kpis"),
    path("regio/<slug:slug>/", views.dashboard, name="dashboard"),
]
