# One image for every process: `webinar-sync api | worker | scheduler | migrate`.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY service ./service
COPY sql ./sql
RUN pip install --no-cache-dir --no-deps -e . && useradd --system webinar-sync
USER webinar-sync
ENV HOST=0.0.0.0 PORT=8000
EXPOSE 8000
ENTRYPOINT ["webinar-sync"]
CMD ["api"]
