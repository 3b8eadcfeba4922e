from django.urls import path, re_path

from regiotafel.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.index, name="index"),
    path("uploaden/", views.upload, name="upload"),
    path("<int:plan_id>/", views.plan_detail, name="plan"),
    path("<int:plan_id>/voortgang/", views.plan_progress, name="progress"),
    path("<int:plan_id>/opnieuw-scoren/", views.rescore, name="rescore"),
    path("<int:plan_id>/verwijderen/", views.delete, name="delete"),
    path("<int:plan_id>/indicatoren/<int:indicator_id>/", views.review, name="review"),
    path(
        "<int:plan_id>/indicatoren/<int:indicator_id>/passages/<int:passage_id>/",
        views.judge,
        name="judge",
    ),
    path("<int:plan_id>/indicatoren/<int:indicator_id>/oordeel/", views.code, name="code"),
    path("matrix/", views.matrix, name="matrix"),
    re_path(r"^matrix\.(?P<fmt>csv|xlsx)$", views.matrix_export, name="matrix-export"),
    path("vergelijken/", views.compare, name="compare"),
    path("betrouwbaarheid/", views.evaluation, name="evaluation"),
    path("betrouwbaarheid/kalibreren/", views.calibrate, name="calibrate"),
    path("kaders/", views.frameworks, name="frameworks"),
    path("kaders/<int:framework_id>/", views.framework_detail, name="framework"),
    path(
        "kaders/<int:framework_id>/indicatoren/<int:indicator_id>/",
        views.vocabulary,
        name="vocabulary",
    ),
    path("kaders/<int:framework_id>/codeboek.qdc", views.codebook, name="codebook"),
]
