ALTER TABLE "sales_agreements" ADD COLUMN "starts_on" date;--> statement-breakpoint
ALTER TABLE "sales_agreements" ADD COLUMN "ends_on" date;--> statement-breakpoint
ALTER TABLE "sales_agreements" ADD COLUMN "default_discount_pct" numeric(5, 2) DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sales_agreements" ADD COLUMN "catalog_version" text;