#!/usr/bin/env node
// Stands in for Prisma's native schema engine, which cannot be downloaded here.
// `prisma generate` only needs the variable to name an existing file.
process.stderr.write(
  "schema engine not available; use the project's migrate command (npm run cairn -- migrate)\n",
);
process.exit(1);
