CREATE TABLE "simulator_systems" (
	"system" text PRIMARY KEY NOT NULL,
	"offline" boolean NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL
);
