ALTER TABLE `images` ADD `parent` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `images` ADD `removed` integer DEFAULT false NOT NULL;