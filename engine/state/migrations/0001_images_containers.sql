CREATE TABLE `container_logs` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`container_id` text NOT NULL,
	`stream` integer NOT NULL,
	`time` text NOT NULL,
	`data` blob NOT NULL,
	FOREIGN KEY (`container_id`) REFERENCES `containers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `container_logs_container` ON `container_logs` (`container_id`,`seq`);--> statement-breakpoint
CREATE TABLE `containers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`image_id` text NOT NULL,
	`image` text NOT NULL,
	`created` text NOT NULL,
	`config` text NOT NULL,
	`host_config` text NOT NULL,
	`state` text NOT NULL,
	`path` text NOT NULL,
	`args` text NOT NULL,
	`restart_count` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `containers_name_unique` ON `containers` (`name`);--> statement-breakpoint
CREATE INDEX `containers_image` ON `containers` (`image_id`);--> statement-breakpoint
CREATE TABLE `image_tags` (
	`tag` text PRIMARY KEY NOT NULL,
	`image_id` text NOT NULL,
	`tagged_at` integer NOT NULL,
	FOREIGN KEY (`image_id`) REFERENCES `images`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `image_tags_image` ON `image_tags` (`image_id`);--> statement-breakpoint
CREATE TABLE `images` (
	`id` text PRIMARY KEY NOT NULL,
	`config` text NOT NULL,
	`size` integer NOT NULL,
	`loaded_at` integer NOT NULL
);
