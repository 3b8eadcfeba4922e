from django.urls import path, re_path

from regiotafel.capacity import triage_views, views

app_name = "capacity"
urlpatterns = [
    path("", views.board, name="board"),
    path("locaties/<int:location_id>/reserveer/", views.reserve, name="reserve"),
    path("locaties/<int:location_id>/bevestig/", views.location_confirm, name="location-confirm"),
    path("casussen/", views.case_list, name="cases"),
    path("casussen/nieuw/", views.case_new, name="case-new"),
    path("casussen/<str:reference>/", views.case_detail, name="case"),
    path("casussen/<str:reference>/status/", views.case_transition, name="case-transition"),
    path("casussen/<str:reference>/overdragen/", views.case_hand_over, name="case-hand-over"),
    path("casussen/<str:reference>/triage/", triage_views.triage_form, name="case-triage"),
    path("triage/", triage_views.triage_queue, name="triage"),
    path("reserveringen/", views.claim_list, name="claims"),
    path("reserveringen/<int:claim_id>/<str:action>/", views.claim_action, name="claim-action"),
    path("rapportage/", views.report, name="report"),
    re_path(r"^rapportage/export\.(?P<fmt>csv|xlsx)$", views.report_export, name="report-export"),
    path("bedden/", views.bed_list, name="beds"),
    path("bedden/<int:bed_id>/status/", views.bed_status, name="bed-status"),
]
