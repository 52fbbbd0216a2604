CREATE TABLE `lambda_functions` (
	`name` text PRIMARY KEY NOT NULL,
	`arn` text NOT NULL,
	`role` text NOT NULL,
	`description` text NOT NULL,
	`timeout` integer NOT NULL,
	`memory_size` integer NOT NULL,
	`environment` text NOT NULL,
	`image_config` text NOT NULL,
	`tags` text NOT NULL,
	`image_uri` text NOT NULL,
	`image_id` text NOT NULL,
	`resolved_image_uri` text NOT NULL,
	`code_sha256` text NOT NULL,
	`state` text NOT NULL,
	`state_reason` text NOT NULL,
	`state_reason_code` text NOT NULL,
	`last_update_status` text NOT NULL,
	`last_update_status_reason` text NOT NULL,
	`last_update_status_reason_code` text NOT NULL,
	`revision_id` text NOT NULL,
	`last_modified` text NOT NULL,
	`created` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `lambda_functions_arn_unique` ON `lambda_functions` (`arn`);