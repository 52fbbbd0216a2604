import { and, asc, count, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import type Database from "better-sqlite3";
import { images, imageTags, repositories, repositoryBlobs, uploads } from "./schema.js";

export type Repository = typeof repositories.$inferSelect;
export type ImageRow = typeof images.$inferSelect;
export type Upload = typeof uploads.$inferSelect;
export interface Tag {
  Key: string;
  Value: string;
}

/** ECR's records in SQLite: repositories, their images and tags, the blobs each holds, uploads under way. */
export class EcrStore {
  private readonly db;

  constructor(readonly sqlite: Database.Database) {
    this.db = drizzle(sqlite);
  }

  transaction<T>(fn: () => T): T {
    return this.sqlite.transaction(fn)();
  }

  repository(name: string): Repository | undefined {
    return this.db.select().from(repositories).where(eq(repositories.name, name)).get();
  }

  repositories(): Repository[] {
    return this.db.select().from(repositories).orderBy(asc(repositories.name)).all();
  }

  createRepository(r: Repository): void {
    this.db.insert(repositories).values(r).run();
  }

  deleteRepository(name: string): void {
    this.db.delete(repositories).where(eq(repositories.name, name)).run();
  }

  updateRepository(name: string, values: Partial<Pick<Repository, "imageTagMutability" | "scanOnPush" | "policyText" | "lifecyclePolicyText" | "lifecycleEvaluatedAtMs" | "previewPolicyText" | "previewResults">>): void {
    this.db.update(repositories).set(values).where(eq(repositories.name, name)).run();
  }

  repositoryTags(r: Repository): Tag[] {
    return JSON.parse(r.tags) as Tag[];
  }

  setRepositoryTags(name: string, tags: Tag[]): void {
    this.db.update(repositories).set({ tags: JSON.stringify(tags) }).where(eq(repositories.name, name)).run();
  }

  image(repository: string, digest: string): ImageRow | undefined {
    return this.db.select().from(images).where(and(eq(images.repository, repository), eq(images.digest, digest))).get();
  }

  images(repository: string): ImageRow[] {
    return this.db.select().from(images).where(eq(images.repository, repository)).orderBy(asc(images.pushedAtMs), asc(images.digest)).all();
  }

  imageCount(repository: string): number {
    return this.db.select({ n: count() }).from(images).where(eq(images.repository, repository)).get()?.n ?? 0;
  }

  insertImage(row: ImageRow): void {
    this.db.insert(images).values(row).onConflictDoNothing().run();
  }

  recordPull(repository: string, digest: string, atMs = Date.now()): void {
    this.db.update(images).set({ lastPulledAtMs: atMs }).where(and(eq(images.repository, repository), eq(images.digest, digest))).run();
  }

  /** Removes an image and every tag naming it. */
  deleteImage(repository: string, digest: string): void {
    this.db.delete(imageTags).where(and(eq(imageTags.repository, repository), eq(imageTags.digest, digest))).run();
    this.db.delete(images).where(and(eq(images.repository, repository), eq(images.digest, digest))).run();
  }

  tagged(repository: string, tag: string): string | undefined {
    return this.db.select().from(imageTags).where(and(eq(imageTags.repository, repository), eq(imageTags.tag, tag))).get()?.digest;
  }

  /** The tags of an image, in name order. */
  tagsOf(repository: string, digest: string): string[] {
    return this.db
      .select()
      .from(imageTags)
      .where(and(eq(imageTags.repository, repository), eq(imageTags.digest, digest)))
      .orderBy(asc(imageTags.tag))
      .all()
      .map((t) => t.tag);
  }

  tags(repository: string): string[] {
    return this.db.select().from(imageTags).where(eq(imageTags.repository, repository)).orderBy(asc(imageTags.tag)).all().map((t) => t.tag);
  }

  setTag(repository: string, tag: string, digest: string): void {
    this.db.insert(imageTags).values({ repository, tag, digest }).onConflictDoUpdate({ target: [imageTags.repository, imageTags.tag], set: { digest } }).run();
  }

  deleteTag(repository: string, tag: string): void {
    this.db.delete(imageTags).where(and(eq(imageTags.repository, repository), eq(imageTags.tag, tag))).run();
  }

  blobSize(repository: string, digest: string): number | undefined {
    return this.db.select().from(repositoryBlobs).where(and(eq(repositoryBlobs.repository, repository), eq(repositoryBlobs.digest, digest))).get()?.size;
  }

  addBlob(repository: string, digest: string, size: number): void {
    this.db.insert(repositoryBlobs).values({ repository, digest, size }).onConflictDoNothing().run();
  }

  /** The digests of the blobs a repository holds. */
  blobsOf(repository: string): string[] {
    return this.db.select().from(repositoryBlobs).where(eq(repositoryBlobs.repository, repository)).all().map((b) => b.digest);
  }

  /** Whether any repository holds a blob. */
  blobHeld(digest: string): boolean {
    return this.db.select().from(repositoryBlobs).where(eq(repositoryBlobs.digest, digest)).limit(1).get() !== undefined;
  }

  uploadsOf(repository: string): string[] {
    return this.db.select().from(uploads).where(eq(uploads.repository, repository)).all().map((u) => u.id);
  }

  upload(id: string): Upload | undefined {
    return this.db.select().from(uploads).where(eq(uploads.id, id)).get();
  }

  createUpload(u: Upload): void {
    this.db.insert(uploads).values(u).run();
  }

  setUploadSize(id: string, size: number): void {
    this.db.update(uploads).set({ size }).where(eq(uploads.id, id)).run();
  }

  deleteUpload(id: string): void {
    this.db.delete(uploads).where(eq(uploads.id, id)).run();
  }
}
