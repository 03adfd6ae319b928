# syntax=docker/dockerfile:1

# Production image of the Yello API. It needs a PostgreSQL server: set DATABASE_URL
# (docker-compose.yml does) and JWT_SECRET (NODE_ENV=production refuses to start
# without it). Pending migrations run at start-up unless MIGRATE_ON_START=false.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: compile TypeScript to dist/ (devDependencies needed) ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app

COPY package.json package-lock.json ./
RUN CI=true npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies and the compiled app only ----
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app

COPY package.json package-lock.json ./
# --omit=dev: no compiler, no CLI, no `node` devDependency (the base image already is
# Node 24), and no embedded PostgreSQL (about 60 MB of binaries for the zero-configuration
# `npm start`): with NODE_ENV=production the app refuses to start without DATABASE_URL.
# bcrypt uses its prebuilt glibc binary.
RUN CI=true npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /app/dist ./dist

# The app reads migrations from dist/database/migrations relative to the working
# directory, so it must start from /app. Files stay root-owned, read-only for the app.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node directly (not npm) so SIGTERM reaches the app and it drains in-flight requests; the
# flag turns off V8's allocation-site pretenuring, which promoted whole requests under load
# (docs/operations.md#node-flags).
CMD ["node", "--no-allocation-site-pretenuring", "dist/main.js"]
