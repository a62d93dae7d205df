"""Test settings: base plus fast password hashing, in-memory mail and a queue of its own per test process."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, CELERY_TASK_DEFAULT_QUEUE

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".run" / "test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-test-{_worker}"
CACHES["default"]["KEY_PREFIX"] = f"xf-test-{_worker}"  # noqa: F405
