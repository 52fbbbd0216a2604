// STS and IAM roles through the unmodified @aws-sdk/client-sts and @aws-sdk/client-iam, with their signature and entity errors.
import { CreateRoleCommand, DeleteRoleCommand, GetRoleCommand, IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { assert, assertEqual, Checks, expectError, startSimulator } from "./harness.js";

const sim = await startSimulator();
const sts = new STSClient(sim.config);
const iam = new IAMClient(sim.config);
const checks = new Checks("sts");
const roleName = `conformance-${Date.now().toString(36)}`;
const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] });

await checks.check("GetCallerIdentity names the account of the signing key", async () => {
  const id = await sts.send(new GetCallerIdentityCommand({}));
  assertEqual(id.Account, "123456789012", "Account");
  assertEqual(id.Arn, "arn:aws:iam::123456789012:root", "Arn");
  assertEqual(id.UserId, "123456789012", "UserId");
});

await checks.check("a wrong secret is SignatureDoesNotMatch (403)", async () => {
  const wrong = new STSClient({ ...sim.config, credentials: { ...sim.config.credentials, secretAccessKey: "wrong-secret" } });
  await expectError(() => wrong.send(new GetCallerIdentityCommand({})), "SignatureDoesNotMatch", 403);
  wrong.destroy();
});

await checks.check("an unknown access key is InvalidClientTokenId (403)", async () => {
  const stranger = new STSClient({ ...sim.config, credentials: { accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "whatever" } });
  await expectError(() => stranger.send(new GetCallerIdentityCommand({})), "InvalidClientTokenId", 403);
  stranger.destroy();
});

await checks.check("CreateRole returns the role with its ARN, id and trust policy", async () => {
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trust, Description: "conformance" }));
  assertEqual(Role?.Arn, `arn:aws:iam::123456789012:role/${roleName}`, "Arn");
  assertEqual(Role?.RoleName, roleName, "RoleName");
  assert(Role?.RoleId?.startsWith("AROA"), `RoleId ${Role?.RoleId}`);
  assert(Role?.CreateDate instanceof Date && !Number.isNaN(Role.CreateDate.getTime()), `CreateDate ${Role?.CreateDate}`);
});

await checks.check("CreateRole with a name taken is EntityAlreadyExistsException (409)", async () => {
  await expectError(() => iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trust })), "EntityAlreadyExistsException", 409);
});

await checks.check("GetRole returns the role and its decoded trust policy", async () => {
  const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  assertEqual(Role?.RoleName, roleName, "RoleName");
  assertEqual(JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? "")), JSON.parse(trust), "AssumeRolePolicyDocument");
  assertEqual(Role?.Description, "conformance", "Description");
  assertEqual(Role?.MaxSessionDuration, 3600, "MaxSessionDuration");
});

await checks.check("ListRoles includes the role", async () => {
  const { Roles, IsTruncated } = await iam.send(new ListRolesCommand({}));
  assert(Roles?.some((r) => r.RoleName === roleName), `ListRoles lacks ${roleName}`);
  assertEqual(IsTruncated, false, "IsTruncated");
});

await checks.check("DeleteRole removes it; GetRole and DeleteRole of a missing role are NoSuchEntityException (404)", async () => {
  await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
  await expectError(() => iam.send(new GetRoleCommand({ RoleName: roleName })), "NoSuchEntityException", 404);
  await expectError(() => iam.send(new DeleteRoleCommand({ RoleName: roleName })), "NoSuchEntityException", 404);
});

sts.destroy();
iam.destroy();
await sim.stop();
checks.finish();
