ALTER TABLE "tmf_events" ADD COLUMN "api" text DEFAULT 'productOrderingManagement' NOT NULL;--> statement-breakpoint
ALTER TABLE "tmf_hub_subscriptions" ADD COLUMN "api" text DEFAULT 'productOrderingManagement' NOT NULL;--> statement-breakpoint
CREATE INDEX "tmf_events_api_idx" ON "tmf_events" USING btree ("api","seq");--> statement-breakpoint
CREATE INDEX "tmf_hub_subscriptions_api_idx" ON "tmf_hub_subscriptions" USING btree ("api");