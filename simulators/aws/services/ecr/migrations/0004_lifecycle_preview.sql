ALTER TABLE `ecr_repositories` ADD `preview_policy_text` text;--> statement-breakpoint
ALTER TABLE `ecr_repositories` ADD `preview_results` text;