// Schemas several API resources share.
import { z } from "zod";

export const isoTime = z.string().meta({ format: "date-time", description: "ISO 8601, UTC" });

export const contributionStatus = z.enum([
  "PENDING",
  "VERIFIED",
  "REJECTED",
  "EXPIRED",
  "WITHDRAWN",
  "VOIDED",
]);

export const numberParams = z.object({
  number: z.coerce
    .number()
    .int()
    .min(1)
    .meta({ description: "The contribution's number in its community (#42 is 42)" }),
});

export const tallySchema = z.object({ approvals: z.number().int(), rejections: z.number().int() });

/** Points are integers in hundredths of a point. */
export const points = z.number().int().meta({ description: "Hundredths of a point" });

export const iso = (at: Date): string => at.toISOString();
export const isoOrNull = (at: Date | null): string | null => (at === null ? null : at.toISOString());

export const memberKind = z
  .enum(["PERSON", "AGENT"])
  .meta({ description: "AGENT: an agent member acting through an API token, owned by a person" });

/** The `cursor` query of a paged list: the previous page's nextCursor. */
export const pageCursor = z.coerce
  .number()
  .int()
  .min(1)
  .optional()
  .meta({ description: "nextCursor of the previous page; omitted for the first page" });
