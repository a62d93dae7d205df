"""Production settings: base plus HTTPS-only cookies, HSTS and the proxy header set by the front server."""

from config.env import env_bool, env_int, env_str
from config.settings.base import *  # noqa: F403

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health checks come over plain HTTP from inside the compose network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# The key of the ID-number and phone lookup hashes: its own secret, so rotating SECRET_KEY keeps lookups working.
XF_LOOKUP_KEY = env_str("XF_LOOKUP_KEY")
# The keys of the encrypted personal-data fields: the deployment's own, never derived from the secret key.
env_str("XF_FIELD_KEYS")
