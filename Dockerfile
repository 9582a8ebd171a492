# syntax=docker/dockerfile:1

# Build: install everything, compile TypeScript.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# The npm the lockfile is made with; npm 11 honours package.json's allowScripts.
RUN npm install -g npm@11.19.1
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev

# Run: production dependencies and the compiled code only, as an unprivileged user.
FROM node:24-bookworm-slim AS runtime
# tini as PID 1 forwards signals to node and reaps the embedded PostgreSQL's children.
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
# MALLOC_MMAP_THRESHOLD_: as `npm run start:prod` sets it (README, Memory).
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data \
    MALLOC_MMAP_THRESHOLD_=4194304
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# Without DATABASE_URL the embedded PostgreSQL keeps its data in the /data volume.
VOLUME ["/data"]
# Liveness only: the service rides out a database outage by itself (readiness is /health/ready).
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/main.js"]
