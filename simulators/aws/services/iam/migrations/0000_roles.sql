CREATE TABLE `iam_roles` (
	`name` text PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`arn` text NOT NULL,
	`path` text NOT NULL,
	`assume_role_policy` text NOT NULL,
	`description` text NOT NULL,
	`max_session_duration` integer NOT NULL,
	`created` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `iam_roles_arn_unique` ON `iam_roles` (`arn`);