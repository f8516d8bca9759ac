/**
 * Colour for the demo's console lines: only on a terminal, and never when NO_COLOR is set
 * (https://no-color.org). Piped into a file or a test, the lines stay plain text.
 */
export type Paint = (code: "dim" | "green" | "yellow" | "red" | "cyan" | "bold", text: string) => string;

const CODES = { dim: 2, bold: 1, red: 31, green: 32, yellow: 33, cyan: 36 } as const;

export function colourWanted(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === "");
}

export function painter(enabled: boolean): Paint {
  return enabled ? (code, text) => `\u001b[${CODES[code]}m${text}\u001b[0m` : (_code, text) => text;
}
