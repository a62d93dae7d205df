"""Project package: settings, URL routes, the Celery application and the WSGI entry point."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
