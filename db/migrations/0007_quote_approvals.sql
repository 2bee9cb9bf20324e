CREATE TABLE "quote_approvals" (
	"quote_id" text NOT NULL,
	"version" integer NOT NULL,
	"levels_required" text[] NOT NULL,
	"rule" text NOT NULL,
	"reason" text NOT NULL,
	"max_discount_pct" numeric(5, 2) NOT NULL,
	"agreement_max_discount_pct" numeric(5, 2),
	"awaiting_role" text,
	"awaiting_since" timestamp with time zone,
	"decision_due" timestamp with time zone,
	"decisions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"escalations" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "quote_approvals_quote_id_version_pk" PRIMARY KEY("quote_id","version")
);
--> statement-breakpoint
CREATE INDEX "quote_approvals_awaiting_idx" ON "quote_approvals" USING btree ("awaiting_role","decision_due");