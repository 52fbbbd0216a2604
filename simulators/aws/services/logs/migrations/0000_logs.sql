CREATE TABLE `logs_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`stream_id` integer NOT NULL,
	`group_id` integer NOT NULL,
	`timestamp` integer NOT NULL,
	`ingestion` integer NOT NULL,
	`message` text NOT NULL,
	FOREIGN KEY (`stream_id`) REFERENCES `logs_streams`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `logs_events_stream_position` ON `logs_events` (`stream_id`,`timestamp`,`id`);--> statement-breakpoint
CREATE INDEX `logs_events_group_position` ON `logs_events` (`group_id`,`timestamp`,`id`);--> statement-breakpoint
CREATE TABLE `logs_groups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`created` integer NOT NULL,
	`retention_days` integer,
	`group_class` text NOT NULL,
	`stored_bytes` integer DEFAULT 0 NOT NULL,
	`tags` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `logs_groups_name_unique` ON `logs_groups` (`name`);--> statement-breakpoint
CREATE TABLE `logs_streams` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`group_id` integer NOT NULL,
	`name` text NOT NULL,
	`created` integer NOT NULL,
	`first_event` integer,
	`last_event` integer,
	`last_ingestion` integer,
	`uploads` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `logs_groups`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `logs_streams_group_name` ON `logs_streams` (`group_id`,`name`);--> statement-breakpoint
CREATE INDEX `logs_streams_group_last_event` ON `logs_streams` (`group_id`,`last_event`,`name`);