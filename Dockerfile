# The app image: the same code runs as the worker (`npm run worker`) or the API (`npm run api`).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# patch-package applies patches/ after the install (postgres.js: patches/README.md).
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# Production workers load the prebuilt workflow bundle instead of bundling at start.
RUN npx tsx scripts/bundle-workflows.ts
ENV NODE_ENV=production
EXPOSE 3000
CMD ["npm", "run", "api"]
