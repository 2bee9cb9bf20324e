CREATE TABLE "accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"parent_id" text,
	"member_key" text,
	"billing_profile" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_key" text NOT NULL,
	"order_id" text,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"actor" text NOT NULL,
	"details" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_events_event_key_unique" UNIQUE("event_key")
);
--> statement-breakpoint
CREATE TABLE "catalog_versions" (
	"version" text PRIMARY KEY NOT NULL,
	"checksum" text NOT NULL,
	"document" jsonb NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "domain_orders" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"sub_order_id" text NOT NULL,
	"order_item_ids" text[] NOT NULL,
	"spec_code" text NOT NULL,
	"domain" text NOT NULL,
	"state" text NOT NULL,
	"depends_on" text[] DEFAULT '{}'::text[] NOT NULL,
	"due_date" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_items" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"sub_order_id" text NOT NULL,
	"quote_line_no" integer NOT NULL,
	"offering_code" text NOT NULL,
	"quantity" integer NOT NULL,
	"recurring_net" numeric(14, 2) NOT NULL,
	"one_off_net" numeric(14, 2) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" text PRIMARY KEY NOT NULL,
	"quote_id" text NOT NULL,
	"quote_version" integer NOT NULL,
	"account_id" text NOT NULL,
	"state" text NOT NULL,
	"catalog_version" text NOT NULL,
	"idempotency_key" text,
	"requested_completion_date" timestamp with time zone,
	"due_date" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_quote_id_unique" UNIQUE("quote_id"),
	CONSTRAINT "orders_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "product_inventory" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"order_item_id" text NOT NULL,
	"account_id" text NOT NULL,
	"service_account_id" text NOT NULL,
	"offering_code" text NOT NULL,
	"state" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	CONSTRAINT "product_inventory_order_item_id_unique" UNIQUE("order_item_id")
);
--> statement-breakpoint
CREATE TABLE "quote_groups" (
	"quote_id" text NOT NULL,
	"version" integer NOT NULL,
	"ref" text NOT NULL,
	"name" text NOT NULL,
	"member_refs" text[] NOT NULL,
	CONSTRAINT "quote_groups_quote_id_version_ref_pk" PRIMARY KEY("quote_id","version","ref")
);
--> statement-breakpoint
CREATE TABLE "quote_items" (
	"quote_id" text NOT NULL,
	"version" integer NOT NULL,
	"line_no" integer NOT NULL,
	"offering_code" text NOT NULL,
	"quantity" integer NOT NULL,
	"discount_pct" numeric(5, 2) NOT NULL,
	"price_override" numeric(14, 2),
	"applies_to_kind" text NOT NULL,
	"applies_to_ref" text,
	"recurring_list_price" numeric(14, 2) NOT NULL,
	"one_off_list_price" numeric(14, 2) NOT NULL,
	"recurring_net" numeric(14, 2) NOT NULL,
	"one_off_net" numeric(14, 2) NOT NULL,
	CONSTRAINT "quote_items_quote_id_version_line_no_pk" PRIMARY KEY("quote_id","version","line_no")
);
--> statement-breakpoint
CREATE TABLE "quote_members" (
	"quote_id" text NOT NULL,
	"version" integer NOT NULL,
	"ref" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"address" text,
	CONSTRAINT "quote_members_quote_id_version_ref_pk" PRIMARY KEY("quote_id","version","ref")
);
--> statement-breakpoint
CREATE TABLE "quote_versions" (
	"quote_id" text NOT NULL,
	"version" integer NOT NULL,
	"state" text NOT NULL,
	"currency" text NOT NULL,
	"recurring_total" numeric(14, 2) NOT NULL,
	"one_off_total" numeric(14, 2) NOT NULL,
	"max_discount_pct" numeric(5, 2) NOT NULL,
	"catalog_version" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "quote_versions_quote_id_version_pk" PRIMARY KEY("quote_id","version")
);
--> statement-breakpoint
CREATE TABLE "quotes" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"state" text NOT NULL,
	"current_version" integer NOT NULL,
	"valid_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sales_contracts" (
	"id" text PRIMARY KEY NOT NULL,
	"quote_id" text NOT NULL,
	"quote_version" integer NOT NULL,
	"account_id" text NOT NULL,
	"signed_by" text NOT NULL,
	"signed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "sales_contracts_quote_id_unique" UNIQUE("quote_id")
);
--> statement-breakpoint
CREATE TABLE "simulator_calls" (
	"idempotency_key" text PRIMARY KEY NOT NULL,
	"system" text NOT NULL,
	"operation" text NOT NULL,
	"task_code" text,
	"response" jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "simulator_faults" (
	"task_code" text PRIMARY KEY NOT NULL,
	"mode" text NOT NULL,
	"remaining" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sub_orders" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"member_ref" text,
	"name" text NOT NULL,
	"service_account_id" text NOT NULL,
	"state" text NOT NULL,
	"due_date" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"domain_order_id" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"state" text NOT NULL,
	"jeopardy" text DEFAULT 'green' NOT NULL,
	"depends_on" text[] DEFAULT '{}'::text[] NOT NULL,
	"system" text,
	"point_of_no_return" boolean DEFAULT false NOT NULL,
	"planned_minutes" integer NOT NULL,
	"due_date" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"completed_by" text,
	"result" jsonb,
	"note" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "accounts_parent_idx" ON "accounts" USING btree ("parent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_member_key_uq" ON "accounts" USING btree ("member_key");--> statement-breakpoint
CREATE INDEX "audit_events_order_idx" ON "audit_events" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "audit_events_entity_idx" ON "audit_events" USING btree ("entity_id");--> statement-breakpoint
CREATE INDEX "domain_orders_order_idx" ON "domain_orders" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "domain_orders_sub_order_idx" ON "domain_orders" USING btree ("sub_order_id");--> statement-breakpoint
CREATE INDEX "order_items_order_idx" ON "order_items" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "orders_account_idx" ON "orders" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "orders_state_idx" ON "orders" USING btree ("state");--> statement-breakpoint
CREATE INDEX "product_inventory_account_idx" ON "product_inventory" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "quotes_account_idx" ON "quotes" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "sub_orders_order_idx" ON "sub_orders" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "tasks_order_idx" ON "tasks" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "tasks_domain_order_idx" ON "tasks" USING btree ("domain_order_id");--> statement-breakpoint
CREATE INDEX "tasks_state_idx" ON "tasks" USING btree ("state");