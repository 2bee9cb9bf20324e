CREATE TABLE "fallout_cases" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"domain_order_id" text NOT NULL,
	"task_id" text NOT NULL,
	"type" text NOT NULL,
	"priority" text NOT NULL,
	"assignment_group" text NOT NULL,
	"escalations" integer DEFAULT 0 NOT NULL,
	"state" text NOT NULL,
	"reason" text NOT NULL,
	"resolution" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "fallout_cases_order_idx" ON "fallout_cases" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "fallout_cases_state_idx" ON "fallout_cases" USING btree ("state");--> statement-breakpoint
CREATE INDEX "fallout_cases_task_idx" ON "fallout_cases" USING btree ("task_id");