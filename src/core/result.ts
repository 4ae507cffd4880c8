import type { Refusal, RefusalCode, RefusalDetails } from "./refusals.ts";

export type { BareRefusalCode, Refusal, RefusalCode, RefusalDetails } from "./refusals.ts";

export type Result<T, C extends RefusalCode = RefusalCode> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Refusal<C> };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });

/** The facts argument of `refuse`: required when the code's message needs them. */
type DetailArgument<C extends RefusalCode> =
  Record<never, never> extends RefusalDetails[C] ? [detail?: RefusalDetails[C]] : [detail: RefusalDetails[C]];

/** An expected failure: a code the adapters map to their own words, and facts for the message. */
export function refuse<C extends RefusalCode>(
  code: C,
  ...[detail]: DetailArgument<C>
): { readonly ok: false; readonly error: Refusal<C> } {
  // The argument's type follows the code, which the compiler cannot relate to the union member.
  const error = (detail === undefined ? { code } : { code, detail }) as Refusal<C>;
  return { ok: false, error };
}
