from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from jxq_cases.lib.views import favicon, healthz, manifest, service_worker

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("manifest.webmanifest", manifest, name="manifest"),
    path("sw.js", service_worker, name="service-worker"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/schema/swagger-ui/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("", include("org.urls")),
    # dispatch.urls first: its ticket list answers GET and POST on api/v1/tickets/ (POST is handed to
    # dispatch.imports_api.TicketIntakeView), so the POST-only route on the same path must not shadow it.
    path("", include("dispatch.urls")),
    path("", include("dispatch.imports_urls")),
    path("", include("proactive.urls")),
    path("", include("reporting.urls")),
    # the staff pages (issue 5) live beside each app's API routes in page_urls.py
    path("", include("org.page_urls")),
    path("", include("dispatch.page_urls")),
    path("", include("reporting.page_urls")),
    path("", include("proactive.page_urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
