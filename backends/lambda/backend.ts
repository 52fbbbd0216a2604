import { CloudWatchLogsClient, DeleteLogGroupCommand, ResourceNotFoundException as LogGroupNotFound } from "@aws-sdk/client-cloudwatch-logs";
import { ECRClient } from "@aws-sdk/client-ecr";
import { CreateFunctionCommand, DeleteFunctionCommand, GetFunctionConfigurationCommand, LambdaClient, ResourceConflictException, ResourceNotFoundException, type CreateFunctionCommandInput } from "@aws-sdk/client-lambda";
import { NotImplementedError } from "../../engine/errors.js";
import { ProcessStartError, type Backend, type BackendFactory, type ContainerSpec, type ImageSource, type ProcessHandle, type ProcessSpec } from "../backend.js";
import { EcrImages, ecrHost } from "../aws/ecr-images.js";
import { checkRunnable, functionDefinition, functionNameOf, logGroupOf } from "./function-definition.js";
import { LambdaInvocation } from "./invocation.js";
import { LogFollower } from "./log-follower.js";
import { parseLambdaOptions, type LambdaOptions } from "./options.js";

/** What the backend keeps of a container: the function it created, as created, and where its log was read to. */
interface LambdaContainer {
  definition?: string;
  log: LogFollower;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Containers as Lambda image functions: the first start pushes the image to
 * ECR (unless it came from there) and creates the function, each start
 * invokes it once. Its log comes from CloudWatch Logs, its result and error
 * state from Invoke. Lambda has no way into a running invocation: no exec,
 * attach, signals or files.
 */
class LambdaBackend implements Backend {
  private readonly lambda: LambdaClient;
  private readonly invoker: LambdaClient;
  private readonly logs: CloudWatchLogsClient;
  private readonly ecr: ECRClient;
  private readonly images: EcrImages;
  private readonly containers = new Map<string, LambdaContainer>();
  private readonly closing = new AbortController();

  constructor(private readonly options: LambdaOptions) {
    const config = { region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) };
    this.lambda = new LambdaClient(config);
    // A retried Invoke could run the function twice for one start.
    this.invoker = new LambdaClient({ ...config, maxAttempts: 1 });
    this.logs = new CloudWatchLogsClient(config);
    this.ecr = new ECRClient(config);
    // Lambda pulls only from ECR in its own region.
    const regionalEcr = ecrHost(options.region);
    this.images = new EcrImages(this.ecr, options.repository, (host) => regionalEcr.test(host));
  }

  describe() {
    return {
      name: "lambda",
      summary: `containers run as Lambda functions in ${this.options.region}, one invocation per start with the event {}: the function's log from CloudWatch Logs is stderr, its result stdout`,
      version: "1",
      capabilities: {
        run: true,
        exec: false,
        attach: false,
        archive: false,
        archiveNotRunning: false,
        pause: false,
        publishPorts: false,
        networking: false,
        mounts: false,
        // Lambda can stop no invocation: a stop or kill answers 501 from the process.
        signals: false,
        // The function's log holds its stdout and stderr together.
        stderr: false,
        rawOutput: false,
        filesPersist: false,
        hostname: false,
        groupAdd: false,
        resources: ["Memory"],
      },
    };
  }

  useImages(source: ImageSource): void {
    this.images.use(source);
  }

  async createContainer(spec: ContainerSpec): Promise<void> {
    this.record(spec.id);
  }

  async withFiles<T>(): Promise<T> {
    throw new NotImplementedError("copying files into and out of containers is not supported by the lambda backend");
  }

  async startProcess(spec: ContainerSpec, process: ProcessSpec, exec: boolean): Promise<ProcessHandle> {
    if (exec) throw new NotImplementedError("exec is not supported by the lambda backend: Lambda has no way into a running invocation");
    checkRunnable(process);
    const record = this.record(spec.id);
    const imageUri = await this.images.ensure(spec.image, spec.repoDigests);
    const definition = functionDefinition(spec, process, imageUri, this.options);
    await this.ensureFunction(record, definition);
    await this.untilActive(definition.FunctionName!);
    return new LambdaInvocation({ lambda: this.invoker, functionName: definition.FunctionName!, timeoutSeconds: this.options.timeout, log: record.log, pollMs: this.options.pollMs, closing: this.closing.signal });
  }

  private record(containerId: string): LambdaContainer {
    let record = this.containers.get(containerId);
    if (!record) {
      record = { log: new LogFollower(this.logs, logGroupOf(functionNameOf(containerId))) };
      this.containers.set(containerId, record);
    }
    return record;
  }

  /** Creates the function unless this container's start already did with the same definition; one left from before (a daemon restart, a changed memory limit) is replaced. */
  private async ensureFunction(record: LambdaContainer, definition: CreateFunctionCommandInput): Promise<void> {
    const wanted = JSON.stringify(definition);
    if (record.definition === wanted) return;
    record.definition = undefined;
    try {
      try {
        await this.lambda.send(new CreateFunctionCommand(definition));
      } catch (err) {
        if (!(err instanceof ResourceConflictException)) throw err;
        await this.deleteFunction(definition.FunctionName!);
        await this.lambda.send(new CreateFunctionCommand(definition));
      }
    } catch (err) {
      throw new ProcessStartError(`Lambda could not create the function ${definition.FunctionName}: ${(err as Error).message}`, 128);
    }
    record.definition = wanted;
  }

  /** Polls until Lambda has the function's image ready; a function that failed to become Active did not start. */
  private async untilActive(functionName: string): Promise<void> {
    for (;;) {
      const fn = await this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }), { abortSignal: this.closing.signal });
      if (fn.State === "Active") return;
      if (fn.State === "Failed" || fn.State === "Inactive") throw new ProcessStartError(`Lambda could not make the function ${functionName} ready: ${fn.StateReasonCode ?? fn.State}: ${fn.StateReason ?? ""}`, 128);
      await sleep(this.options.pollMs);
    }
  }

  private async deleteFunction(functionName: string): Promise<void> {
    try {
      await this.lambda.send(new DeleteFunctionCommand({ FunctionName: functionName }));
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
  }

  /** Deletes the container's function and its log group (engine/ keeps the output); there may be none. */
  async removeContainer(containerId: string): Promise<void> {
    this.containers.delete(containerId);
    const name = functionNameOf(containerId);
    await this.deleteFunction(name);
    try {
      await this.logs.send(new DeleteLogGroupCommand({ logGroupName: logGroupOf(name) }));
    } catch (err) {
      if (!(err instanceof LogGroupNotFound)) throw err;
    }
  }

  async close(): Promise<void> {
    // Invocations under way run on in Lambda; nothing follows them any more.
    this.closing.abort();
    this.lambda.destroy();
    this.invoker.destroy();
    this.logs.destroy();
    this.ecr.destroy();
  }
}

export const createLambdaBackend: BackendFactory = (options) => new LambdaBackend(parseLambdaOptions(options));
