# The petition site's production image: gunicorn on port 8000, static files collected at build.
#   docker build -t petitions .
#   docker compose up -d          (see docs/deploy.md: database, worker, migrations)

# Builder: resolve and install the pinned requirements into a virtualenv that the runtime
# stage copies whole, so the runtime image carries no pip caches or build leftovers.
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --no-cache-dir -r /tmp/requirements.txt

# Runtime: the virtualenv, the code, and an unprivileged user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/opt/venv/bin:$PATH"

RUN groupadd --system --gid 10001 petitions \
 && useradd --system --no-log-init --no-create-home --uid 10001 --gid petitions petitions
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY . .
# Static files are collected into the image; whitenoise serves them compressed. Production
# settings refuse to load without a key and a Redis: the key is random and thrown away
# (nothing signed survives), and collectstatic never connects to the placeholder Redis.
RUN DEBUG=false \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    REDIS_URL=redis://collectstatic.invalid:6379/0 \
    python manage.py collectstatic --noinput --verbosity 0 \
 && mkdir -p var/media \
 && chown 10001:10001 var/media

# Numeric, so that Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
# Uploads (MEDIA_ROOT) are the one folder it writes: compose mounts a named volume there, which
# starts with this folder's owner.
USER 10001:10001
ENV DEBUG=false \
    PORT=8000
EXPOSE 8000
# No curl in slim images: Python's urllib asks gunicorn for /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "scripts/healthcheck.py"]
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
