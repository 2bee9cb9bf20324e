ALTER TABLE "audit_events" ADD COLUMN "actor_role" text;--> statement-breakpoint
ALTER TABLE "quote_versions" ADD COLUMN "created_by" text;