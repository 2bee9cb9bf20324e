CREATE TABLE "sales_contract_changes" (
	"id" text PRIMARY KEY NOT NULL,
	"sales_contract_id" text NOT NULL,
	"change_quote_id" text NOT NULL,
	"quote_version" integer NOT NULL,
	"order_id" text NOT NULL,
	"amendment_id" text NOT NULL,
	"signed_by" text NOT NULL,
	"signed_at" timestamp with time zone NOT NULL,
	"document_sha256" text,
	"recurring_difference" numeric(14, 2) NOT NULL,
	"one_off_difference" numeric(14, 2) NOT NULL,
	CONSTRAINT "sales_contract_changes_change_quote_id_unique" UNIQUE("change_quote_id")
);
--> statement-breakpoint
ALTER TABLE "order_amendments" ADD COLUMN "change_quote_id" text;--> statement-breakpoint
ALTER TABLE "quote_versions" ADD COLUMN "change" jsonb;--> statement-breakpoint
ALTER TABLE "quotes" ADD COLUMN "change_of_order_id" text;--> statement-breakpoint
CREATE INDEX "sales_contract_changes_contract_idx" ON "sales_contract_changes" USING btree ("sales_contract_id");--> statement-breakpoint
CREATE INDEX "quotes_change_of_idx" ON "quotes" USING btree ("change_of_order_id");