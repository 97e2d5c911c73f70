"""The site's URLs plus the benchmark's constant baseline page.

Only the server that `manage.py benchmark` starts (BENCHMARK_URLS=1) and its
in-process query counts use this URLconf; production never mounts the page.
"""

from django.urls import path

from community.config import views
from community.config.urls import handler500  # noqa: F401  (the same error pages)
from community.config.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("bench/baseline", views.benchmark_baseline, name="benchmark_baseline"),
    *site_urlpatterns,
]
