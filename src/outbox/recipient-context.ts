/**
 * Who a message is for, as far as its wording and its timing care: the recipient's locale
 * (which national shift tables the text may use) and time zone (when the send window is open).
 * One rule for every origin (reminders, keyword replies, staff replies, API, MQTT, panel and test
 * sends), each field taken from the first of:
 *   1. the account the message is for, when there is one (its locale, its timeZone);
 *   2. the country of the number (+90 → tr-TR, Europe/Istanbul);
 *   3. the gateway's defaults (gateway.defaultLocale, gateway.defaultTimeZone).
 * Countries spanning several zones get their most populous one (the table below, docs/outbox.md).
 */
import { countryOf } from "../core/phone.js";

export interface RecipientDefaults {
  locale?: string;
  timeZone: string;
}

/** What an account says about its holder (a ledger Account fits). */
export interface RecipientAccount {
  locale?: string;
  timeZone?: string;
}

export interface RecipientContext {
  locale: string | undefined;
  timeZone: string;
}

/**
 * Countries with several zones: the zone most of their people live in. Countries with one
 * zone take it from the platform's time-zone data (Intl), so they need no entry here.
 */
const MOST_POPULOUS_ZONE: Readonly<Record<string, string>> = {
  AR: "America/Argentina/Buenos_Aires",
  AU: "Australia/Sydney",
  BR: "America/Sao_Paulo",
  CA: "America/Toronto",
  CD: "Africa/Kinshasa",
  CL: "America/Santiago",
  CN: "Asia/Shanghai",
  CY: "Asia/Nicosia",
  DE: "Europe/Berlin",
  EC: "America/Guayaquil",
  ES: "Europe/Madrid",
  FM: "Pacific/Pohnpei",
  GL: "America/Nuuk",
  ID: "Asia/Jakarta",
  KI: "Pacific/Tarawa",
  KZ: "Asia/Almaty",
  MH: "Pacific/Majuro",
  MN: "Asia/Ulaanbaatar",
  MX: "America/Mexico_City",
  MY: "Asia/Kuala_Lumpur",
  NZ: "Pacific/Auckland",
  PF: "Pacific/Tahiti",
  PG: "Pacific/Port_Moresby",
  PS: "Asia/Gaza",
  PT: "Europe/Lisbon",
  RU: "Europe/Moscow",
  UA: "Europe/Kyiv",
  US: "America/New_York",
  UZ: "Asia/Tashkent",
};

/** Intl.Locale's time zones (a getter in V8, not yet in TypeScript's lib). */
type LocaleWithZones = Intl.Locale & { timeZones?: string[] };

const zoneCache = new Map<string, string | undefined>();
/** Country per number: parsing costs tens of microseconds and the engine asks for 50,000 accounts per run. Bounded. */
const countryCache = new Map<string, string | undefined>();
const COUNTRY_CACHE_MAX = 100_000;

function cachedCountryOf(number: string): string | undefined {
  if (countryCache.has(number)) return countryCache.get(number);
  if (countryCache.size >= COUNTRY_CACHE_MAX) countryCache.clear();
  const country = countryOf(number);
  countryCache.set(number, country);
  return country;
}
const localeCache = new Map<string, string | undefined>();

/** The time zone of a country (ISO 3166), or undefined when the platform knows none for it. */
export function zoneOfCountry(country: string): string | undefined {
  if (zoneCache.has(country)) return zoneCache.get(country);
  let zone = MOST_POPULOUS_ZONE[country];
  if (!zone) {
    try {
      const zones = (new Intl.Locale(`und-${country}`) as LocaleWithZones).timeZones;
      if (zones?.length === 1) zone = zones[0];
    } catch {
      zone = undefined;
    }
  }
  zoneCache.set(country, zone);
  return zone;
}

/** The likely language of a country as a BCP 47 tag ("TR" → "tr-TR", "CH" → "de-CH"), from CLDR's likely subtags. */
export function localeOfCountry(country: string): string | undefined {
  if (localeCache.has(country)) return localeCache.get(country);
  let locale: string | undefined;
  try {
    const likely = new Intl.Locale(`und-${country}`).maximize();
    // "und-ZZ" maximises to en-US: a country the data does not know gets no locale.
    locale = likely.region === country && likely.language !== "und" ? `${likely.language}-${country}` : undefined;
  } catch {
    locale = undefined;
  }
  localeCache.set(country, locale);
  return locale;
}

/**
 * The recipient's locale and zone for a number in E.164 and, if the message is for one, its
 * account. An e-mail has no number (the caller passes ""): only the account and the defaults count.
 */
export function recipientContext(
  number: string,
  account: RecipientAccount | undefined,
  defaults: RecipientDefaults,
): RecipientContext {
  // The number is parsed only when the account leaves a field open (the engine asks for every account on every run).
  // Only a number in E.164 has a country: an e-mail address is never handed to the phone parser.
  let country: string | undefined | null = number.startsWith("+") ? null : undefined;
  const countryOfNumber = () => (country === null ? (country = cachedCountryOf(number)) : country);
  const fromCountry = <T>(f: (c: string) => T | undefined): T | undefined => {
    const c = countryOfNumber();
    return c ? f(c) : undefined;
  };
  const locale = account?.locale || fromCountry(localeOfCountry) || defaults.locale;
  const timeZone = account?.timeZone || fromCountry(zoneOfCountry) || defaults.timeZone;
  return { locale, timeZone };
}
