ALTER TABLE `ecr_repositories` ADD `lifecycle_policy_text` text;--> statement-breakpoint
ALTER TABLE `ecr_repositories` ADD `lifecycle_evaluated_at_ms` integer;