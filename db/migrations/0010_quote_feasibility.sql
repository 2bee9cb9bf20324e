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
