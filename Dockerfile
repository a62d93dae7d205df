# Production image: gunicorn web, Celery worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Static files are collected at build time and served by WhiteNoise.
RUN DJANGO_SECRET_KEY=build-only XF_LOOKUP_KEY=build-only XF_FIELD_KEYS=build=YnVpbGQtb25seS1rZXktbm90LWZvci1hbnktZGF0YSE= XF_STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home /app xinfang \
    && mkdir -p /data/media /data/beat && chown -R xinfang /data

USER xinfang
ENV XF_STATIC_ROOT=/app/staticfiles XF_MEDIA_ROOT=/data/media
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4", "--access-logfile", "-"]
