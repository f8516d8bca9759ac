/** Branded primitives for the values that are easy to mix up. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A phone number in E.164 form, "+4917612345678"; made only by the phone-number parser. */
export type E164 = Brand<string, "E164">;
/** A calendar date without time, "2026-06-25", read in the account's time zone. */
export type LocalDate = string;
/** An amount in minor units (cents); never a float. */
export type Minor = number;
/** ISO 4217 code, "EUR". */
export type Currency = string;
/** Milliseconds since the epoch. */
export type Millis = number;
