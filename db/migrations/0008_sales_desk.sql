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
CREATE TABLE "quote_feasibility" (
	"quote_id" text NOT NULL,
	"version" integer NOT NULL,
	"member_ref" text NOT NULL,
	"site_name" text NOT NULL,
	"offerings" text[] NOT NULL,
	"feasible" boolean NOT NULL,
	"reason" text,
	"reference" text NOT NULL,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "quote_feasibility_quote_id_version_member_ref_pk" PRIMARY KEY("quote_id","version","member_ref")
);
--> statement-breakpoint
ALTER TABLE "sales_agreements" ADD COLUMN "starts_on" date;--> statement-breakpoint
ALTER TABLE "sales_agreements" ADD COLUMN "ends_on" date;--> statement-breakpoint
ALTER TABLE "sales_agreements" ADD COLUMN "default_discount_pct" numeric(5, 2) DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sales_agreements" ADD COLUMN "catalog_version" text;--> statement-breakpoint
ALTER TABLE "sales_contracts" ADD COLUMN "document_sha256" text;--> statement-breakpoint
CREATE INDEX "quote_approvals_awaiting_idx" ON "quote_approvals" USING btree ("awaiting_role","decision_due");