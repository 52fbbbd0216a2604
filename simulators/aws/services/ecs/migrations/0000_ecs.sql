CREATE TABLE `ecs_clusters` (
	`name` text PRIMARY KEY NOT NULL,
	`arn` text NOT NULL,
	`status` text NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ecs_clusters_arn_unique` ON `ecs_clusters` (`arn`);--> statement-breakpoint
CREATE TABLE `ecs_tags` (
	`resource_arn` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`resource_arn`, `key`)
);
--> statement-breakpoint
CREATE TABLE `ecs_task_definitions` (
	`arn` text PRIMARY KEY NOT NULL,
	`family` text NOT NULL,
	`revision` integer NOT NULL,
	`status` text NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ecs_task_definitions_family_revision` ON `ecs_task_definitions` (`family`,`revision`);--> statement-breakpoint
CREATE TABLE `ecs_tasks` (
	`arn` text PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`cluster_arn` text NOT NULL,
	`family` text NOT NULL,
	`started_by` text NOT NULL,
	`launch_type` text NOT NULL,
	`desired_status` text NOT NULL,
	`last_status` text NOT NULL,
	`created_at` integer NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ecs_tasks_cluster` ON `ecs_tasks` (`cluster_arn`,`desired_status`);--> statement-breakpoint
CREATE UNIQUE INDEX `ecs_tasks_id` ON `ecs_tasks` (`id`);