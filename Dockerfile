# syntax=docker/dockerfile:1
# Pyramid in HTTP mode: Slack sends requests to POST /slack/events on $PORT.
#
#   docker build -t pyramid .
#   docker run -p 3000:3000 --env-file .env -v pyramid-data:/data pyramid
#
# Set DATABASE_URL to PostgreSQL in production; without it the SQLite file is created in /data (mount a
# volume there to keep it). compose.yaml runs PostgreSQL, two `serve` replicas and the scheduler.
#
# Two stages: the first builds Pyramid and every dependency into wheels; the image that runs gets only
# those wheels installed (no build tools, no pip cache, no source tree, no tests), as a non-root user.
# CI has no Docker engine: scripts/check-image-install runs these same steps, and
# tests/unit/test_deploy_files.py checks this file's shape.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip wheel --wheel-dir /wheels .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN groupadd --system --gid 10001 pyramid \
    && useradd --system --uid 10001 --gid pyramid --home-dir /home/pyramid --create-home \
        --shell /usr/sbin/nologin pyramid \
    && mkdir /data \
    && chown pyramid:pyramid /data

# Only the wheels the first stage built: installed offline, then thrown away with the mount.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels pyramid-bot

USER pyramid
WORKDIR /data

ENV PORT=3000
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3000') + '/healthz', timeout=4)"]

CMD ["pyramid-bot", "serve"]
