// Platform test files whose stories change the community's settings: each test
// starts from the settings the community had when the bot joined it.
import { beforeEach } from "vitest";
import type { Db } from "../../src/db/client.ts";
import type { Prisma } from "../../src/generated/prisma/client.ts";

/**
 * Registers a beforeEach that puts the community's settings back to what
 * `remember` read (call it in beforeAll, once the bot has joined).
 */
export function joinTimeSettings(
  db: () => Db,
  community: () => Promise<{ readonly id: number; readonly config: unknown }>,
): { remember: () => Promise<void> } {
  let joined: Prisma.InputJsonValue | null = null;
  beforeEach(async () => {
    if (joined === null) return;
    await db().community.update({ where: { id: (await community()).id }, data: { config: joined } });
  });
  return {
    remember: async () => {
      joined = (await community()).config as Prisma.InputJsonValue;
    },
  };
}
