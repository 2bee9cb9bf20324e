CREATE TABLE "cancel_product_orders" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"state" text NOT NULL,
	"cancellation_reason" text,
	"requested_cancellation_date" timestamp with time zone,
	"effective_cancellation_date" timestamp with time zone,
	"error_message" text,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "product_order_notes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"text" text NOT NULL,
	"author" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "cancel_product_orders_order_idx" ON "cancel_product_orders" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "product_order_notes_order_idx" ON "product_order_notes" USING btree ("order_id");