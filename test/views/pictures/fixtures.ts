// Names and a profile in every script the pictures draw, shared by the
// picture tests and `npm run bench pictures`.
import type { ProfileView } from "../../../src/app/profile.ts";

/** The names a new user tried, one per script the pictures must draw. */
export const SCRIPT_NAMES = [
  "Алиса Петрова",
  "李明",
  "José Núñez",
  "🚀 rocket_dev",
  "مريم أحمد",
  "שרה כהן",
  "Ελένη Παπαδοπούλου",
  "Nguyễn Thị Ánh",
  "김민준",
  "สมชาย",
] as const;

export function sampleProfile(extra: Partial<ProfileView> = {}): ProfileView {
  return {
    memberId: 7,
    name: "Алиса Петрова",
    hidden: false,
    kind: "PERSON",
    ownerName: null,
    points: { total: 123_456, active: 98_765 },
    rank: 3,
    counts: { PENDING: 0, VERIFIED: 3, REJECTED: 0, EXPIRED: 0, WITHDRAWN: 0, VOIDED: 0 },
    streak: 4,
    recent: [],
    categories: [
      { slug: "docs", verified: 2 },
      { slug: "переводы", verified: 1 },
    ],
    identities: [],
    ...extra,
  };
}
