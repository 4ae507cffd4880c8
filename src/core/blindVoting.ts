/** A vote's direction, as the rules see it. */
export type VoteDirection = "APPROVE" | "REJECT";

/** Approvals and rejections are null while blind voting hides which way the votes went. */
export interface TallyView {
  readonly approvals: number | null;
  readonly rejections: number | null;
  readonly voters: number;
}

export interface VisibleVotes<V> {
  /** Directions are hidden: blind voting is on and the contribution is still pending. */
  readonly blind: boolean;
  readonly tally: TallyView;
  /** The votes the viewer may see: all of them, or under blind voting only their own. */
  readonly votes: V[];
  /** The viewer's own vote, if any (always visible to them). */
  readonly own: V | null;
}

/**
 * What a viewer may see of a contribution's votes. With blind voting on, a
 * pending contribution shows only how many have voted and the viewer's own vote,
 * so early votes cannot herd later ones; once decided, everything is shown.
 */
export function visibleVotes<V extends { readonly voterId: number; readonly choice: VoteDirection }>(
  votes: readonly V[],
  rule: {
    readonly blindVoting: boolean;
    /** The contribution's status; only PENDING hides anything. */
    readonly status: string;
    readonly viewerId: number | null;
  },
): VisibleVotes<V> {
  const own = votes.find((vote) => vote.voterId === rule.viewerId) ?? null;
  const blind = rule.blindVoting && rule.status === "PENDING";
  if (blind) {
    return {
      blind,
      tally: { approvals: null, rejections: null, voters: votes.length },
      votes: own === null ? [] : [own],
      own,
    };
  }
  const approvals = votes.filter((vote) => vote.choice === "APPROVE").length;
  return {
    blind,
    tally: { approvals, rejections: votes.length - approvals, voters: votes.length },
    votes: [...votes],
    own,
  };
}
