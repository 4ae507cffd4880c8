// The known workload: each community's submitter logs contributions through
// the HTTP API of the running `cairn bot` (with an Idempotency-Key, retried
// with the same key), and its voters vote on each one, as a client that
// retries on a network error, a 5xx or a 429 until it gets an answer. What was
// acknowledged (a 2xx) is remembered for the checks.
import type { Community, FaultWorld, Member } from "./world.ts";
import { sleep } from "./processes.ts";

export type Choice = "approve" | "reject";

export interface AckedContribution {
  readonly communityId: number;
  readonly number: number;
  readonly title: string;
}

export interface AckedVote {
  readonly communityId: number;
  readonly number: number;
  readonly voterId: number;
  readonly choice: Choice;
}

export interface Plan {
  readonly contributionsEach: number;
  /** The vote voter `v` casts on contribution `k` of community `c`, or null for none. */
  readonly vote: (c: number, k: number, v: number) => Choice | null;
  /** How long the operations are spread over. */
  readonly spreadMs: number;
  /** How long one operation is retried before the client gives up. */
  readonly giveUpMs?: number;
  /** Votes start only once this resolves (all contributions logged first). */
  readonly votesAfter?: Promise<void>;
  /** Each vote waits a random time up to this after the votes start. */
  readonly voteJitterMs?: { readonly ms: number };
}

export class Workload {
  attempted = 0;
  acknowledged = 0;
  refused = 0;
  /** Refusals by their problem type's last part (UNKNOWN_CONTRIBUTION, VOTE_CLOSED, …). */
  readonly refusals = new Map<string, number>();
  /** Answers with status 500 or more (a "try again" is a 503; anything else is a crash). */
  readonly serverErrors = new Map<number, number>();
  /** Operations whose client never got an answer before giving up. */
  unanswered = 0;
  readonly contributions: AckedContribution[] = [];
  readonly votes: AckedVote[] = [];
  private stopped = false;

  constructor(
    private readonly world: FaultWorld,
    readonly communities: readonly Community[],
  ) {}

  /** Runs the plan to the end: every contribution's chain (log, then its votes) started in turn over `spreadMs`. */
  async run(plan: Plan): Promise<void> {
    const chains: Array<Promise<void>> = [];
    const total = this.communities.length * plan.contributionsEach;
    let started = 0;
    const t0 = Date.now();
    for (let k = 0; k < plan.contributionsEach; k += 1) {
      for (const [c, community] of this.communities.entries()) {
        const at = t0 + (plan.spreadMs * started) / total;
        started += 1;
        await sleep(Math.max(0, at - Date.now()));
        if (this.stopped) break;
        chains.push(this.chain(plan, c, k, community));
      }
    }
    await Promise.all(chains);
  }

  stop(): void {
    this.stopped = true;
  }

  private async chain(plan: Plan, c: number, k: number, community: Community): Promise<void> {
    const title = `Work ${community.communityId}-${k}`;
    const created = await this.send(plan, community.submitter, "POST", "/contributions", {
      body: { category: "docs", title, links: [`https://example.org/faults/${community.communityId}/${k}`] },
      key: `faults-${community.communityId}-${k}`,
    });
    if (created === null) return;
    const number = Number(created["number"]);
    this.contributions.push({ communityId: community.communityId, number, title });
    await plan.votesAfter;
    await Promise.all(
      community.voters.map(async (voter, v) => {
        const choice = plan.vote(c, k, v);
        if (choice === null) return;
        await sleep(Math.random() * (plan.voteJitterMs?.ms ?? 0));
        const voted = await this.send(plan, voter, "PUT", `/contributions/${number}/vote`, {
          body: { choice },
        });
        if (voted !== null)
          this.votes.push({
            communityId: community.communityId,
            number,
            voterId: voter.actor.memberId,
            choice,
          });
      }),
    );
  }

  /** One operation, retried as a client would; the 2xx body, or null when refused or never answered. */
  private async send(
    plan: Plan,
    member: Member,
    method: string,
    path: string,
    options: { body: unknown; key?: string },
  ): Promise<Record<string, unknown> | null> {
    this.attempted += 1;
    const giveUp = Date.now() + (plan.giveUpMs ?? 120_000);
    while (Date.now() < giveUp) {
      const status = await this.request(member, method, path, options);
      if (typeof status === "object") {
        this.acknowledged += 1;
        return status;
      }
      if (typeof status === "string") {
        this.refused += 1;
        this.refusals.set(status, (this.refusals.get(status) ?? 0) + 1);
        return null;
      }
      if (status === 409) this.serverErrors.set(409, (this.serverErrors.get(409) ?? 0) + 1);
      if (status >= 500) this.serverErrors.set(status, (this.serverErrors.get(status) ?? 0) + 1);
      await sleep(250);
    }
    this.unanswered += 1;
    return null;
  }

  private async request(
    member: Member,
    method: string,
    path: string,
    options: { body: unknown; key?: string },
  ): Promise<Record<string, unknown> | number | string> {
    try {
      const response = await fetch(`${this.world.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${member.token}`,
          "content-type": "application/json",
          ...(options.key === undefined ? {} : { "idempotency-key": options.key }),
        },
        body: JSON.stringify(options.body),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await response.text();
      if (response.status >= 200 && response.status < 300) return JSON.parse(text) as Record<string, unknown>;
      // Idempotency-Key in progress: the first request with this key is still being answered.
      if (response.status === 409 && text.includes("IDEMPOTENCY_IN_PROGRESS")) return 409;
      if (response.status === 409) return String((JSON.parse(text) as { title?: unknown }).title ?? 409);
      // A refusal (4xx other than 429) is final: its problem title names why.
      if (
        response.status >= 400 &&
        response.status < 500 &&
        response.status !== 429 &&
        response.status !== 409
      )
        return String((JSON.parse(text) as { title?: unknown }).title ?? response.status);
      return response.status;
    } catch {
      return 0; // no answer: the process is down or the connection dropped
    }
  }
}
