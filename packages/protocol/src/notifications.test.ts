import { describe, expect, it } from "vitest";
import { webhookNotificationSchema } from "./notifications.ts";
import { settingsPatchSchema, settingsSchema } from "./project.ts";

const at = "2025-06-01T12:00:00.000Z";
const progress = {
  passing: 2,
  unverified: 0,
  inProgress: 1,
  verifying: 0,
  needsInput: 0,
  failed: 0,
  pending: 1,
  blocked: 0,
  total: 4,
  percentage: 50,
};

describe("webhook notifications", () => {
  it("parses both events", () => {
    const passed = {
      version: 1,
      event: "features.passed",
      project: "demo",
      at,
      progress,
      passing: 2,
      total: 4,
      percentage: 50,
      previousPassing: 1,
      features: [{ id: 3, name: "Login" }],
    };
    const ended = { version: 1, event: "run.ended", project: "demo", at, progress, status: "completed" };
    expect(webhookNotificationSchema.parse(passed)).toEqual(passed);
    expect(webhookNotificationSchema.parse(ended)).toEqual(ended);
    expect(webhookNotificationSchema.safeParse({ ...passed, features: [] }).success).toBe(false);
    expect(webhookNotificationSchema.safeParse({ ...ended, status: "running" }).success).toBe(false);
    expect(webhookNotificationSchema.safeParse({ ...ended, version: 2 }).success).toBe(false);
    expect(webhookNotificationSchema.safeParse({ ...ended, event: "test_progress" }).success).toBe(false);
  });

  it("has a nullable http(s) webhook setting, null by default", () => {
    expect(settingsSchema.parse({}).notificationsWebhookUrl).toBeNull();
    for (const url of ["http://127.0.0.1:5678/webhook/x", "https://user:pass@n8n.example.com/hook?token=1"]) {
      expect(settingsSchema.parse({ notificationsWebhookUrl: url }).notificationsWebhookUrl).toBe(url);
      expect(settingsPatchSchema.parse({ notificationsWebhookUrl: url })).toEqual({
        notificationsWebhookUrl: url,
      });
    }
    expect(settingsPatchSchema.parse({ notificationsWebhookUrl: null })).toEqual({
      notificationsWebhookUrl: null,
    });
    for (const url of [
      "ftp://example.com/x",
      "javascript:alert(1)",
      "not a url",
      "/relative",
      `https://x.io/${"a".repeat(2100)}`,
    ]) {
      expect(settingsSchema.safeParse({ notificationsWebhookUrl: url }).success).toBe(false);
      expect(settingsPatchSchema.safeParse({ notificationsWebhookUrl: url }).success).toBe(false);
    }
  });
});
