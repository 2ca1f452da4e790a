# Production image: the Django app served by gunicorn; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    JXQ_VAR_DIR=/var/lib/jxq_cases \
    MEDIA_ROOT=/var/lib/jxq_cases/media \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gettext curl && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings that import; the real SECRET_KEY comes from the environment at run time
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput -v0

RUN useradd --system --home /app jxq && mkdir -p /var/lib/jxq_cases && chown jxq /var/lib/jxq_cases
USER jxq
EXPOSE 8000
CMD ["gunicorn", "jxq_cases.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
