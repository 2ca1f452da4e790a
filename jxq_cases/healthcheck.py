"""The web container's health probe: ``python -m jxq_cases.healthcheck`` exits 0 when this container's
gunicorn answers ``/healthz/`` (the app and its database) with 200, 1 otherwise.

It asks http://127.0.0.1:$PORT/healthz/ with a Host header that ALLOWED_HOSTS accepts, read through
the settings: once ALLOWED_HOSTS names the real host only, a request for 127.0.0.1 gets 400 from Django
and a plain ``curl http://127.0.0.1:8000/healthz/`` reports a healthy server as sick. /healthz/ is
exempt from SECURE_SSL_REDIRECT, so the probe speaks plain HTTP inside the container.
"""

import os
import sys
import urllib.error
import urllib.request


def probe_host(allowed_hosts: list[str]) -> str:
    """The first ALLOWED_HOSTS entry as a Host header: ``*`` -> localhost, ``.example.com`` -> example.com."""
    for entry in allowed_hosts:
        host = entry.strip().lstrip(".")
        if host == "*" or not host:
            return "localhost"
        return host
    return "localhost"


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")
    from django.conf import settings

    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz/"
    request = urllib.request.Request(url, headers={"Host": probe_host(settings.ALLOWED_HOSTS)})
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        print(f"unhealthy: {url}: {error}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"unhealthy: {url} answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
