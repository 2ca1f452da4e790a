# Production image: the Django app served by gunicorn (static files by WhiteNoise); the same image runs
# the Celery worker and beat. Runs as the unprivileged user jxq.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    JXQ_VAR_DIR=/var/lib/jxq_cases \
    MEDIA_ROOT=/var/lib/jxq_cases/media \
    STATIC_ROOT=/app/staticfiles \
    PORT=8000

WORKDIR /app
# WeasyPrint (the ticket file's PDF) lays text out with Pango; Chinese needs a CJK font.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
# The health checks need only Python and Celery (jxq_cases/healthcheck.py, `celery inspect ping`).
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# DEBUG=0 as at run time: the manifest storage writes gzipped files with hashed names and the manifest
# that pages read their static URLs from. The real SECRET_KEY comes from the environment at run time.
RUN DEBUG=0 SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput -v0

RUN useradd --system --home /app jxq && mkdir -p /var/lib/jxq_cases/media && chown -R jxq /var/lib/jxq_cases
USER jxq
EXPOSE 8000
CMD ["scripts/serve-web.sh"]
