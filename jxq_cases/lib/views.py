"""The views that belong to no app: the liveness probe, /favicon.ico, and the web app's manifest and
service worker.

They live in the floor (``jxq_cases.lib``: imports no app) because they are about the site, not about
any app's data; ``jxq_cases.urls`` routes them.
"""

from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.templatetags.static import static


def healthz(request):
    """Liveness for the container health check: the app answers and its database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def favicon(request):
    """/favicon.ico, for clients that ask for it without reading the page: a temporary redirect to the
    icon's current URL (with DEBUG off a hashed name that changes with the file, so never permanent)."""
    return HttpResponseRedirect(static("favicon.ico"))


# --- the installable web app (docs/ui.md, "Phones"): manifest and service worker ---

# What the service worker keeps: the site's own static files, nothing else. Ticket pages, the API,
# notifications and reports always come from the server (never from a cache on a shared phone).
APP_SHELL = (
    "css/app.css",
    "js/app.js",
    "vendor/htmx-2.0.11/htmx.min.js",
    "favicon.svg",
    "icons/icon-192.png",
)
APP_ICONS = (
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
)


def manifest(request):
    """/manifest.webmanifest: name, colours, icons and start page for "add to home screen"."""
    from django.utils.translation import gettext as _

    data = {
        "name": _("Jiuxianqiao 12345 cases"),
        "short_name": _("12345 cases"),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": "#154c8c",
        "lang": "zh-CN",
        "icons": [
            {"src": static(src), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for src, sizes, purpose in APP_ICONS
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


SERVICE_WORKER = """// jxq_cases service worker: caches the site's static files only, never a page or data.
"use strict";
const STATIC_PREFIX = %(prefix)s;
const CACHE = %(cache)s;
const PRECACHE = %(precache)s;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

// Only same-origin GETs under the static prefix are answered from the cache (then stored there);
// every other request — pages, the API, uploads, reports — is left to the network, untouched.
function isStatic(request) {
  const url = new URL(request.url);
  return request.method === "GET" && url.origin === self.location.origin && url.pathname.startsWith(STATIC_PREFIX);
}

self.addEventListener("fetch", (event) => {
  if (!isStatic(event.request)) {
    return;
  }
  event.respondWith(
    caches.open(CACHE).then((cache) =>
      cache.match(event.request).then((hit) => hit || fetch(event.request).then((answer) => {
        if (answer.ok) {
          cache.put(event.request, answer.clone());
        }
        return answer;
      }))
    )
  );
});
"""


def service_worker(request):
    """/sw.js at the root, so that it may control every page (a worker's scope is its own path)."""
    import hashlib
    import json

    from django.conf import settings
    from django.http import HttpResponse

    precache = [static(path) for path in APP_SHELL]
    version = hashlib.sha256("\n".join(precache).encode()).hexdigest()[:12]
    body = SERVICE_WORKER % {
        "prefix": json.dumps(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL),
        "cache": json.dumps(f"jxq-static-{version}"),
        "precache": json.dumps(precache),
    }
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # the browser checks for a new worker on every visit
    return response
