CREATE TABLE `container_mounts` (
	`container_id` text NOT NULL,
	`destination` text NOT NULL,
	`position` integer NOT NULL,
	`volume` text,
	`spec` text NOT NULL,
	PRIMARY KEY(`container_id`, `destination`),
	FOREIGN KEY (`container_id`) REFERENCES `containers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `container_mounts_volume` ON `container_mounts` (`volume`);--> statement-breakpoint
CREATE TABLE `endpoints` (
	`network_id` text NOT NULL,
	`container_id` text NOT NULL,
	`position` integer NOT NULL,
	`config` text NOT NULL,
	`endpoint_id` text DEFAULT '' NOT NULL,
	`ipv4` text DEFAULT '' NOT NULL,
	`mac` text DEFAULT '' NOT NULL,
	PRIMARY KEY(`network_id`, `container_id`),
	FOREIGN KEY (`network_id`) REFERENCES `networks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`container_id`) REFERENCES `containers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `endpoints_container` ON `endpoints` (`container_id`);--> statement-breakpoint
CREATE TABLE `networks` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`driver` text NOT NULL,
	`created` text NOT NULL,
	`internal` integer NOT NULL,
	`attachable` integer NOT NULL,
	`enable_ipv6` integer NOT NULL,
	`ipam` text NOT NULL,
	`options` text NOT NULL,
	`labels` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `networks_name_unique` ON `networks` (`name`);--> statement-breakpoint
CREATE TABLE `volumes` (
	`name` text PRIMARY KEY NOT NULL,
	`driver` text NOT NULL,
	`created_at` text NOT NULL,
	`labels` text NOT NULL,
	`options` text NOT NULL
);
