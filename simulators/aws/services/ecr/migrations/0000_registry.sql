CREATE TABLE `ecr_image_tags` (
	`repository` text NOT NULL,
	`tag` text NOT NULL,
	`digest` text NOT NULL,
	PRIMARY KEY(`repository`, `tag`),
	FOREIGN KEY (`repository`) REFERENCES `ecr_repositories`(`name`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `ecr_images` (
	`repository` text NOT NULL,
	`digest` text NOT NULL,
	`manifest` text NOT NULL,
	`media_type` text NOT NULL,
	`artifact_media_type` text,
	`size_bytes` integer NOT NULL,
	`pushed_at_ms` integer NOT NULL,
	PRIMARY KEY(`repository`, `digest`),
	FOREIGN KEY (`repository`) REFERENCES `ecr_repositories`(`name`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `ecr_repositories` (
	`name` text PRIMARY KEY NOT NULL,
	`created_at_ms` integer NOT NULL,
	`image_tag_mutability` text NOT NULL,
	`scan_on_push` integer NOT NULL,
	`encryption_type` text NOT NULL,
	`kms_key` text,
	`tags` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ecr_repository_blobs` (
	`repository` text NOT NULL,
	`digest` text NOT NULL,
	`size` integer NOT NULL,
	PRIMARY KEY(`repository`, `digest`),
	FOREIGN KEY (`repository`) REFERENCES `ecr_repositories`(`name`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `ecr_tokens` (
	`password` text PRIMARY KEY NOT NULL,
	`expires_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ecr_uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`repository` text NOT NULL,
	`size` integer NOT NULL,
	`started_at_ms` integer NOT NULL,
	FOREIGN KEY (`repository`) REFERENCES `ecr_repositories`(`name`) ON UPDATE no action ON DELETE cascade
);
