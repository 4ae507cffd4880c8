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
 * Group commit of deciding votes, per community, in this process. A community's
 * chain serialises its appends on the ledger head, so when a deciding vote is
 * already being written, the next ones are queued and written together: one
 * transaction locks their contributions (in number order), reads their
 * contexts, decides each in the core and appends every decision's entries under
 * one hold of the head. A vote with nobody ahead of it is written on its own,
 * with no wait. Other processes need no knowledge of this: the row and head
 * locks keep every transaction exact.
 */
export class DecisionBatches {
  private readonly writing = new Map<number, number>();
  private readonly queues = new Map<number, QueuedVote[]>();
  private readonly draining = new Set<number>();

  constructor(
    private readonly store: SqlStore,
    private readonly writeBatch: BatchWriter,
    private readonly writeSolo: SoloWriter,
  ) {}

  /** Whether deciding votes of the community are being written (a vote arriving now joins their next batch). */
  busy(communityId: number): boolean {
    return (this.writing.get(communityId) ?? 0) > 0 || this.draining.has(communityId);
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
      if (!this.draining.has(communityId)) {
        this.draining.add(communityId);
        queueMicrotask(() => void this.drain(communityId));
      }
    });
  }

  private async drain(communityId: number): Promise<void> {
    try {
      for (let batch = this.takeBatch(communityId); batch.length > 0; batch = this.takeBatch(communityId)) {
        await this.write(batch);
        // The callers just answered often vote again at once: one turn of the event loop
        // lets those votes join the next batch rather than wait behind it.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.draining.delete(communityId);
      this.queues.delete(communityId);
    }
  }

  /** Up to MAX_DECISION_BATCH queued votes on distinct contributions, in number order (the lock order). */
  private takeBatch(communityId: number): QueuedVote[] {
    const queue = this.queues.get(communityId) ?? [];
    const taken = new Map<number, QueuedVote>();
    const left: QueuedVote[] = [];
    for (const vote of queue) {
      if (taken.size < MAX_DECISION_BATCH && !taken.has(vote.input.number))
        taken.set(vote.input.number, vote);
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
