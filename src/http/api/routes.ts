// Every /api/v1 route, in the order the reference lists them.
import {
  castVoteRoute,
  createContribution,
  getContribution,
  listContributionsRoute,
  withdrawContributionRoute,
} from "./contributions.ts";
import {
  categoriesRoute,
  leaderboardRoute,
  listMembersRoute,
  memberProfileRoute,
  ownProfileRoute,
  seasonsRoute,
} from "./community.ts";
import { exportFileRoute, exportRoute, exportStatusRoute } from "./exports.ts";
import { ledgerHeadRoute, ledgerLinesRoute, ledgerVerifyRoute } from "./ledger.ts";
import type { AnyApiRoute } from "./route.ts";

export const apiRoutes: readonly AnyApiRoute[] = [
  createContribution,
  listContributionsRoute,
  getContribution,
  withdrawContributionRoute,
  castVoteRoute,
  leaderboardRoute,
  listMembersRoute,
  ownProfileRoute,
  memberProfileRoute,
  ledgerLinesRoute,
  ledgerHeadRoute,
  ledgerVerifyRoute,
  exportRoute,
  exportStatusRoute,
  exportFileRoute,
  categoriesRoute,
  seasonsRoute,
];
