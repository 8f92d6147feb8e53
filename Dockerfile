# The production image: the PWA built with Node, served by the API process with its Python dependencies.
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# DejaVu Sans draws certificate PDFs with Vietnamese diacritics.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Exact versions with hashes from the lock (`make lock` writes it), so every build installs the same files.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY backend/ backend/
RUN pip install --no-deps .
COPY content/ content/
COPY data/ data/
COPY --from=frontend /src/frontend/dist frontend/dist
RUN useradd --system --uid 10001 hocso && mkdir -p /app/var && chown hocso /app/var
USER hocso
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=2).status == 200 else 1)"
# `hocso serve` applies migrations and loads content/ before it starts the workers.
CMD ["hocso", "serve", "--host", "0.0.0.0", "--port", "8000"]
