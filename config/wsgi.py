import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import the URLconf, and with it every view, now rather than on the first request: the first
# person to open a page does not wait for it, and once /readyz answers, pages answer too. With
# gunicorn's --preload this happens once, before the workers fork.
VIEWS_LOADED = len(get_resolver().url_patterns)
