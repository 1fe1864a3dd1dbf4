FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORT=8000

WORKDIR /app
RUN useradd --create-home --uid 10001 interview

COPY pyproject.toml README.md ./
COPY interview ./interview
# Editable: templates/, static/ and migrations/ sit beside the package.
RUN pip install -e .

COPY app.py gunicorn.conf.py ./
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
RUN mkdir -p /app/instance && chown interview /app/instance

USER interview
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"

CMD ["sh", "-c", "flask --app app db upgrade && exec gunicorn -c gunicorn.conf.py app:app"]
