# Two stages: the first builds the wheel from the checkout; the second installs the
# locked dependencies (requirements.lock) and that wheel into a virtual environment,
# with no source checkout. The app's instance folder (the development secret, the
# spool, a default SQLite database) is Flask's for an installed package:
# /opt/interview/var/interview-instance.

FROM python:3.11-slim AS build

WORKDIR /src
COPY pyproject.toml README.md ./
COPY interview ./interview
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .


FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/interview \
    PATH=/opt/interview/bin:$PATH \
    HOST=0.0.0.0 \
    PORT=8000

RUN useradd --create-home --uid 10001 interview
WORKDIR /home/interview

COPY requirements.lock /tmp/requirements.lock
RUN python -m venv /opt/interview \
    && pip install --require-hashes -r /tmp/requirements.lock \
    && rm /tmp/requirements.lock

COPY --from=build /dist /tmp/dist
RUN pip install --no-deps /tmp/dist/*.whl \
    && pip check \
    && rm -r /tmp/dist \
    && mkdir -p /opt/interview/var/interview-instance \
    && chown interview /opt/interview/var/interview-instance

USER interview
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"

CMD ["sh", "-c", "flask --app interview.wsgi db upgrade && exec gunicorn -c python:interview.gunicorn_config interview.wsgi:app"]
