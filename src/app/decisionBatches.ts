import type { ConfigReads } from "../core/config.ts";
import type { SqlStore } from "../db/sql.ts";
import type { Result } from "../core/result.ts";
import type { Actor } from "./deps.ts";
import type { VoteInput, VoteRecorded, VoteRefusal } from "./voteTypes.ts";

/** A deciding vote waiting for its community's next batch. */
export interface QueuedVote {
  readonly actor: Actor;
  readonly input: VoteInput;
  readonly now: Date;
  /** The process's memo of config reads (deps.caches.configs), if it has one. */
  readonly configs?: ConfigReads | undefined;
  readonly resolve: (result: Result<VoteRecorded, VoteRefusal> | null) => void;
  readonly reject: (error: unknown) => void;
}

/** Writes one batch of queued votes (distinct contributions) in one transaction. */
export type BatchWriter = (
  store: SqlStore,
  batch: readonly QueuedVote[],
) => Promise<Array<Result<VoteRecorded, VoteRefusal> | null>>;

/** Writes one vote in a transaction of its own (a batch that failed is retried vote by vote). */
export type SoloWriter = (
  store: SqlStore,
  vote: QueuedVote,
) => Promise<Result<VoteRecorded, VoteRefusal> | null>;

/** How many deciding votes one transaction writes at most. */
export const MAX_DECISION_BATCH = 64;

/**
 * How many batches of one community are written at once. The second one reads
 * its votes' contexts (under their row locks) while the first holds the ledger
 * head, then waits on the head: the reads of one batch overlap the other's
 * writes and COMMIT.
 */
export const MAX_BATCHES_IN_FLIGHT = 2;

/**
 * Group commit of deciding votes, per community, in this process. A community's
 * chain serialises its appends on the ledger head, so when a deciding vote is
 * already being written, the next ones are queued and written together: one
 * transaction locks their contributions (in number order), reads their
 * contexts, decides each in the core and appends every decision's entries under
 * one hold of the head. A vote with nobody ahead of it is written on its own,
 * with no wait. Up to MAX_BATCHES_IN_FLIGHT batches run at once, never two on
 * the same contribution. Other processes need no knowledge of this: the row and
 * head locks keep every transaction exact.
 */
export class DecisionBatches {
  private readonly writing = new Map<number, number>();
  private readonly queues = new Map<number, QueuedVote[]>();
  /** Per community, the contributions of the batches being written (one set per batch). */
  private readonly inFlight = new Map<number, Array<ReadonlySet<number>>>();
  private readonly scheduled = new Set<number>();

  constructor(
    private readonly store: SqlStore,
    private readonly writeBatch: BatchWriter,
    private readonly writeSolo: SoloWriter,
  ) {}

  /** Whether deciding votes of the community are being written (a vote arriving now joins their next batch). */
  busy(communityId: number): boolean {
    return (
      (this.writing.get(communityId) ?? 0) > 0 ||
      this.scheduled.has(communityId) ||
      (this.inFlight.get(communityId)?.length ?? 0) > 0 ||
      (this.queues.get(communityId)?.length ?? 0) > 0
    );
  }

  /** Claims the community for a deciding vote written on its own; false when others are ahead. */
  enterAlone(communityId: number): boolean {
    if (this.busy(communityId)) return false;
    this.writing.set(communityId, 1);
    return true;
  }

  /** Releases what enterAlone claimed, once its transaction has ended. */
  leave(communityId: number): void {
    this.writing.delete(communityId);
  }

  /** Queues a deciding vote for the community's next batch. */
  submit(vote: Omit<QueuedVote, "resolve" | "reject">): Promise<Result<VoteRecorded, VoteRefusal> | null> {
    return new Promise((resolve, reject) => {
      const communityId = vote.actor.communityId;
      const queue = this.queues.get(communityId) ?? [];
      queue.push({ ...vote, resolve, reject });
      this.queues.set(communityId, queue);
      // Started after the current turn, so votes arriving together form one batch.
      if (!this.scheduled.has(communityId)) {
        this.scheduled.add(communityId);
        queueMicrotask(() => {
          this.scheduled.delete(communityId);
          this.startBatches(communityId);
        });
      }
    });
  }

  /** Starts batches of the queued votes while fewer than MAX_BATCHES_IN_FLIGHT run. */
  private startBatches(communityId: number): void {
    const running = this.inFlight.get(communityId) ?? [];
    while (running.length < MAX_BATCHES_IN_FLIGHT) {
      const batch = this.takeBatch(communityId, running);
      if (batch.length === 0) break;
      const numbers = new Set(batch.map((vote) => vote.input.number));
      running.push(numbers);
      void this.write(batch).finally(() => {
        running.splice(running.indexOf(numbers), 1);
        this.startBatches(communityId);
      });
    }
    if (running.length > 0) this.inFlight.set(communityId, running);
    else this.inFlight.delete(communityId);
    if (this.queues.get(communityId)?.length === 0) this.queues.delete(communityId);
  }

  /**
   * Up to MAX_DECISION_BATCH queued votes on distinct contributions that no
   * running batch writes, in number order (the lock order).
   */
  private takeBatch(communityId: number, running: ReadonlyArray<ReadonlySet<number>>): QueuedVote[] {
    const queue = this.queues.get(communityId) ?? [];
    const taken = new Map<number, QueuedVote>();
    const left: QueuedVote[] = [];
    for (const vote of queue) {
      const number = vote.input.number;
      const free = !taken.has(number) && running.every((numbers) => !numbers.has(number));
      if (taken.size < MAX_DECISION_BATCH && free) taken.set(number, vote);
      else left.push(vote);
    }
    this.queues.set(communityId, left);
    return [...taken.values()].sort((a, b) => a.input.number - b.input.number);
  }

  private async write(batch: readonly QueuedVote[]): Promise<void> {
    try {
      const results = await this.writeBatch(this.store, batch);
      batch.forEach((vote, i) => vote.resolve(results[i] ?? null));
    } catch {
      // One vote's surprise must not fail the others: each is written alone, and fails alone.
      for (const vote of batch) await this.writeSolo(this.store, vote).then(vote.resolve, vote.reject);
    }
  }
}
