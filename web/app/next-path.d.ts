/** Types of next-path.js for the tests (the browser loads the .js as it is). */
export declare function safeNextPath(raw: unknown): string;
