// Runs once per `vitest run`, before any worker: builds the migrated template
// that test/support/db.ts clones (so workers never race to build it).
import { dropStaleTemplates, ensureTemplate } from "./template.ts";

export default async function setup(): Promise<void> {
  const template = await ensureTemplate();
  await dropStaleTemplates(template);
}
