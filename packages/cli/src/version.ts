/** The version of this autowright (from the published package). */
import packageJson from "../package.json" with { type: "json" };

/** The version of this autowright. */
export const version: string = packageJson.version;
