# Pyramid in HTTP mode: Slack sends requests to POST /slack/events on $PORT.
#
#   docker build -t pyramid .
#   docker run -p 3000:3000 --env-file .env -v pyramid-data:/data pyramid
#
# Set DATABASE_URL to PostgreSQL in production; without it the SQLite file is
# created in /data (mount a volume there to keep it).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 pyramid \
    && useradd --system --uid 10001 --gid pyramid --home-dir /home/pyramid --create-home \
        --shell /usr/sbin/nologin pyramid \
    && mkdir /data \
    && chown pyramid:pyramid /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir . \
    && rm -rf build ./*.egg-info

USER pyramid
WORKDIR /data

ENV PORT=3000
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3000') + '/healthz', timeout=4)"]

CMD ["pyramid-bot", "serve"]
