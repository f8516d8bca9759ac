/**
 * Dunning measures a reminder with the very function the outbox sends it with
 * (src/sms/send-text.ts), for the account's locale and the modem's codec settings, so that
 * previews, forecasts and cost estimates count exactly the parts that will be sent.
 */
export { DEFAULT_CODEC, measureText, type CodecSettings, type MeasuredText as TextMeasure } from "../sms/index.js";
