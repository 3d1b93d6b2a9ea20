# signode in a container: the wheel on a slim Python, run as a non-root user, data on a volume.
#   docker build -t signode .
#   docker run -v signode-data:/data -e SLACK_BOT_TOKEN=xoxb-… -e SLACK_SIGNING_SECRET=… -p 3000:3000 signode
#   docker run -v signode-data:/data signode ingest        # fill (or refresh) the database first
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY slackbot ./slackbot
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin signode \
    && mkdir -p /data && chown signode:signode /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels signode && rm -rf /wheels
USER 10001
WORKDIR /data
ENV SIGNODE_DB=/data/signode.db PYTHONUNBUFFERED=1
VOLUME ["/data"]
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=2).status != 200)"]
ENTRYPOINT ["signode"]
CMD ["serve", "--http", "--host", "0.0.0.0", "--port", "3000", "--grace", "10"]
