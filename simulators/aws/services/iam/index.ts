import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { asc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { packageRoot } from "../../../../engine/package-info.js";
import { AwsError } from "../../errors.js";
import type { XmlValue } from "../../protocols.js";
import type { AwsService, RoleDirectory, SimContext } from "../../service.js";
import { roles } from "./schema.js";

const migrations = join(packageRoot, "simulators", "aws", "services", "iam", "migrations");

type Role = typeof roles.$inferSelect;

function roleXml(r: Role): XmlValue {
  return {
    Path: r.path,
    RoleName: r.name,
    RoleId: r.id,
    Arn: r.arn,
    CreateDate: r.created,
    AssumeRolePolicyDocument: encodeURIComponent(r.assumeRolePolicy),
    Description: r.description || undefined,
    MaxSessionDuration: r.maxSessionDuration,
  };
}

function required(params: URLSearchParams, name: string): string {
  const v = params.get(name);
  if (!v) throw new AwsError("ValidationError", `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return v;
}

/** IAM roles (Query protocol), as far as ECS task roles and Lambda execution roles need them. */
export function createIamService(ctx: Pick<SimContext, "sqlite" | "migrate">): { service: AwsService; roles: RoleDirectory } {
  ctx.migrate("iam", migrations);
  const db = drizzle(ctx.sqlite);
  const find = (name: string) => db.select().from(roles).where(eq(roles.name, name)).get();
  const get = (name: string) => {
    const r = find(name);
    if (!r) throw new AwsError("NoSuchEntity", `The role with name ${name} cannot be found.`, 404);
    return r;
  };
  const service: AwsService = {
    signingName: "iam",
    query: {
      xmlns: "https://iam.amazonaws.com/doc/2010-05-08/",
      operations: {
        CreateRole: (params, req) => {
          const name = required(params, "RoleName");
          if (!/^[\w+=,.@-]{1,64}$/.test(name)) throw new AwsError("ValidationError", `The specified value for roleName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-`);
          const policy = required(params, "AssumeRolePolicyDocument");
          try {
            JSON.parse(policy);
          } catch {
            throw new AwsError("MalformedPolicyDocument", "This policy contains invalid Json");
          }
          if (find(name)) throw new AwsError("EntityAlreadyExists", `Role with name ${name} already exists.`, 409);
          const path = params.get("Path") ?? "/";
          const role: Role = {
            name,
            id: `AROA${randomBytes(8).toString("hex").toUpperCase()}`,
            arn: `arn:aws:iam::${req.accountId}:role${path}${name}`,
            path,
            assumeRolePolicy: policy,
            description: params.get("Description") ?? "",
            maxSessionDuration: Number(params.get("MaxSessionDuration") ?? 3600),
            created: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
          };
          db.insert(roles).values(role).run();
          return { Role: roleXml(role) };
        },
        GetRole: (params) => ({ Role: roleXml(get(required(params, "RoleName"))) }),
        DeleteRole: (params) => {
          db.delete(roles).where(eq(roles.name, get(required(params, "RoleName")).name)).run();
          return {};
        },
        ListRoles: (params) => {
          const prefix = params.get("PathPrefix") ?? "/";
          const all = db.select().from(roles).orderBy(asc(roles.name)).all().filter((r) => r.path.startsWith(prefix));
          return { Roles: all.map(roleXml), IsTruncated: false };
        },
      },
    },
  };
  return { service, roles: { exists: (arn) => db.select().from(roles).where(eq(roles.arn, arn)).get() !== undefined } };
}
