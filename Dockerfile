# Orzo's image: `orzo` is the entrypoint, the command (`upgrade`, `api`, `metricd`, `serve`, …)
# its argument. Configure it with ORZO_* environment variables (see the README's Configuration).
#
#   docker build -t orzo .
#   docker run --rm orzo config

# --- build stage: production dependencies, native modules compiled if no prebuilt one fits -----
FROM node:20-bookworm-slim AS deps

# better-sqlite3 and msgpackr-extract fall back to node-gyp when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
# tsx (the TypeScript loader bin/orzo.js registers) is a runtime dependency; the dev dependencies
# (typescript, eslint, test tools) are not needed to run.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- runtime stage ------------------------------------------------------------------------------
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    ORZO_DATA_DIR=/data \
    ORZO_API_HOST=0.0.0.0

WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src

# A non-root user owns the data folder (the embedded backends, metricd's status and sockets).
RUN groupadd --system orzo \
 && useradd --system --gid orzo --home-dir /data --no-create-home orzo \
 && mkdir -p /data \
 && chown orzo:orzo /data
USER orzo

EXPOSE 8041
ENTRYPOINT ["node", "bin/orzo.js"]
CMD ["serve"]
