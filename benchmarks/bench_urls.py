"""The product's URLs plus ``GET /bench/vloer``: the framework floor of the board benchmark.

The floor is a Ninja endpoint behind the same middleware and the same bearer-token
authentication as ``/api/v1/beschikbaarheid``, answering a constant list: what a board
request would cost if the board itself cost nothing.
"""

from django.urls import path
from ninja import NinjaAPI

from regiotafel.api import TokenAuth
from regiotafel.urls import urlpatterns as product

floor = NinjaAPI(
    title="benchmark floor",
    urls_namespace="bench-floor",
    auth=[TokenAuth()],
    docs_url=None,
    openapi_url=None,
)
CONSTANT = [{"locatie": "Vloer", "vrij": 1, "totaal": 1}]


@floor.get("/vloer")
def constant(request):
    return CONSTANT


urlpatterns = [path("bench/", floor.urls), *product]
