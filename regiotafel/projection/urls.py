from django.urls import path, re_path

from regiotafel.projection import views

app_name = "projection"

urlpatterns = [
    path("", views.index, name="index"),
    re_path(r"^export\.(?P<fmt>csv|xlsx|html)$", views.export, name="export"),
    path("parameters/", views.parameters, name="parameters"),
    path("parameters/<int:parameter_set_id>.yaml", views.parameter_file, name="parameter-file"),
]
