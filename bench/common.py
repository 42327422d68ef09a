"""What every benchmark starts with: the project importable, Django set up on the bench database.

The scripts run as `python bench/<name>.py`, so this folder is on sys.path and they import
this module as `common`.
"""

import os
import sys
from pathlib import Path

HEAVY_EMAIL = "bench-heavy@bench.example"
ADMIN_EMAIL = "bench-admin@bench.example"


def setup_django(**environ: str) -> None:
    """Set up Django on DATABASE_URL (default: the closeout_bench database); `environ` wins."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/closeout_bench")
    os.environ.update(environ)

    import django

    django.setup()
