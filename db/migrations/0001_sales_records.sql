CREATE TABLE "leads" (
	"id" text PRIMARY KEY NOT NULL,
	"company" text NOT NULL,
	"contact_name" text,
	"email" text,
	"phone" text,
	"source" text,
	"state" text NOT NULL,
	"opportunity_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "opportunities" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"lead_id" text,
	"name" text NOT NULL,
	"state" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "opportunities_lead_id_unique" UNIQUE("lead_id")
);
--> statement-breakpoint
CREATE TABLE "sales_agreements" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"max_discount_pct" numeric(5, 2) NOT NULL,
	"slas" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_contracts" (
	"id" text PRIMARY KEY NOT NULL,
	"sales_contract_id" text NOT NULL,
	"quote_id" text NOT NULL,
	"account_id" text NOT NULL,
	"member_ref" text NOT NULL,
	"site_name" text NOT NULL,
	"service_account_id" text,
	"entitlements" jsonb NOT NULL,
	"slas" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "quote_versions" ADD COLUMN "agreement_max_discount_pct" numeric(5, 2);--> statement-breakpoint
ALTER TABLE "quote_versions" ADD COLUMN "slas" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "quotes" ADD COLUMN "opportunity_id" text;--> statement-breakpoint
ALTER TABLE "quotes" ADD COLUMN "agreement_id" text;--> statement-breakpoint
CREATE INDEX "opportunities_account_idx" ON "opportunities" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "sales_agreements_account_idx" ON "sales_agreements" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "service_contracts_site_uq" ON "service_contracts" USING btree ("quote_id","member_ref");