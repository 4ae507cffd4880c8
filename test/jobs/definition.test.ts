import type { Job } from "bullmq";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineJob, queueProcessor, type JobContext } from "../../src/jobs/definition.ts";
import type { Log } from "../../src/logger.ts";

describe("a job's log lines", () => {
  it("carry the job's id, queue and name", async () => {
    const lines: object[] = [];
    const log: Log = {
      info: (fields) => lines.push(fields),
      warn: (fields) => lines.push(fields),
      error: (fields) => lines.push(fields),
    };
    const greet = defineJob({
      queue: "maintenance",
      name: "greet",
      payload: z.object({ who: z.string() }),
      handle: async (ctx, payload) => ctx.log.info({ who: payload.who }, "hello"),
    });
    const processor = queueProcessor({ log } as unknown as JobContext, [greet as never]);
    await processor({ id: "job-7", name: "greet", data: { who: "ana" } } as unknown as Job, "token");
    expect(lines).toEqual([{ jobId: "job-7", queue: "maintenance", job: "greet", who: "ana" }]);
  });
});
