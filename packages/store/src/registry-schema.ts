/** The global registry (`$AUTOWRIGHT_HOME/registry.db`) as drizzle tables. */
import { sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Registered projects. `path` is absolute and resolved. */
export const projects = sqliteTable("projects", {
  name: text("name").primaryKey(),
  path: text("path").notNull().unique(),
  createdAt: text("created_at").notNull(),
});

/** Global settings, one JSON value per key (see the protocol's settingsSchema). */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).$type<unknown>().notNull(),
  updatedAt: text("updated_at").notNull(),
});
