# drift as a container image: `docker build -t drift .`, then `docker run --rm drift --version`.
# Built for a Cloud Run job run by Cloud Scheduler (README: Running on Google Cloud): small
# (slim Python and one virtual environment, no build tools), and not root.

FROM python:3.12-slim AS build
WORKDIR /src
# Only what the package needs: the build never sees tests, the venv or local reports.
COPY pyproject.toml README.md ./
COPY drift ./drift
RUN python -m venv /opt/drift \
 && /opt/drift/bin/pip install --no-cache-dir --disable-pip-version-check . \
 && /opt/drift/bin/pip uninstall --yes pip

FROM python:3.12-slim
COPY --from=build /opt/drift /opt/drift
RUN useradd --system --uid 10001 --home-dir /work --create-home drift
USER 10001
WORKDIR /work
ENV PATH=/opt/drift/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
# Profiles: bake them into an image built FROM this one (COPY profiles /work/profiles), or
# mount them; reports go to Cloud Storage (--json gs://BUCKET/ENV/last.json).
ENTRYPOINT ["drift"]
CMD ["--help"]
