/** An expected failure: a code the adapters map to their own words, and facts for the message. */
export interface Refusal<C extends string = string> {
  readonly code: C;
  readonly detail?: Readonly<Record<string, string | number>>;
}

export type Result<T, C extends string = string> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Refusal<C> };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });

export const refuse = <C extends string>(
  code: C,
  detail?: Readonly<Record<string, string | number>>,
): { readonly ok: false; readonly error: Refusal<C> } =>
  detail === undefined ? { ok: false, error: { code } } : { ok: false, error: { code, detail } };
