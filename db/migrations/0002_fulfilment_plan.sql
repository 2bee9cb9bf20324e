CREATE TABLE "configuration_items" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"ci_class" text NOT NULL,
	"name" text NOT NULL,
	"customer_account_id" text NOT NULL,
	"site_account_id" text NOT NULL,
	"product_inventory_ids" text[] NOT NULL,
	"service_inventory_id" text NOT NULL,
	"attributes" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "configuration_items_service_inventory_id_unique" UNIQUE("service_inventory_id")
);
--> statement-breakpoint
CREATE TABLE "service_inventory" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"domain_order_id" text NOT NULL,
	"account_id" text NOT NULL,
	"service_account_id" text NOT NULL,
	"spec_code" text NOT NULL,
	"domain" text NOT NULL,
	"product_inventory_ids" text[] NOT NULL,
	"state" text NOT NULL,
	"characteristics" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_inventory_domain_order_id_unique" UNIQUE("domain_order_id")
);
--> statement-breakpoint
ALTER TABLE "simulator_faults" ADD COLUMN "account_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "simulator_faults" DROP CONSTRAINT "simulator_faults_pkey";--> statement-breakpoint
ALTER TABLE "simulator_faults" ADD CONSTRAINT "simulator_faults_task_code_account_id_pk" PRIMARY KEY("task_code","account_id");--> statement-breakpoint
ALTER TABLE "domain_orders" ADD COLUMN "jeopardy" text DEFAULT 'green' NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "planned_completion_date" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "jeopardy" text DEFAULT 'green' NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "state_reasons" jsonb;--> statement-breakpoint
ALTER TABLE "product_inventory" ADD COLUMN "billing_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "throttled_after" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "notifies" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "planned_start" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "configuration_items_customer_idx" ON "configuration_items" USING btree ("customer_account_id");--> statement-breakpoint
CREATE INDEX "service_inventory_account_idx" ON "service_inventory" USING btree ("account_id");