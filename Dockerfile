# Closeout: one image for web (gunicorn), Celery worker and beat.
FROM python:3.13-slim

COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    EVIDENCE_ROOT=/data/evidence \
    PORT=8000

WORKDIR /app

# DejaVu Sans: the PDFs' fallback font for Arabic, Hebrew, emoji and symbols (cases/pdf.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first: this layer is reused until uv.lock changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

# Compiled translations (.mo) are committed, so the image needs no gettext.
RUN DEBUG=0 SECRET_KEY=collectstatic-at-build-time python manage.py collectstatic --no-input -v 0 \
    && useradd --system --uid 10001 --gid 0 --home-dir /app --no-create-home closeout \
    && mkdir -p /app/var /data/evidence \
    && chown -R closeout:0 /app/var /data

USER closeout
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--no-control-socket", "--graceful-timeout", "20", "--preload"]
