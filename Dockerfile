# The petition site served by gunicorn. Build: docker build -t petitions .
# Run:  docker run -p 8000:8000 --env-file .env petitions
# Migrate first: docker run --env-file .env petitions python manage.py migrate
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
# Static files are collected into the image; whitenoise serves them compressed.
RUN DEBUG=false \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    python manage.py collectstatic --noinput --verbosity 0 \
 && useradd --system --no-create-home --uid 10001 petitions

USER petitions
ENV DEBUG=false
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
