/**
 * Errors carrying Docker's HTTP status mapping (moby's errdefs). Engine code
 * throws these; the frontend turns them into `{"message": ...}` responses.
 */
export class DockerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotModifiedError extends DockerError {
  constructor(message = "") {
    super(304, message);
  }
}

export class InvalidParameterError extends DockerError {
  constructor(message: string) {
    super(400, message);
  }
}

export class UnauthorizedError extends DockerError {
  constructor(message: string) {
    super(401, message);
  }
}

export class ForbiddenError extends DockerError {
  constructor(message: string) {
    super(403, message);
  }
}

export class NotFoundError extends DockerError {
  constructor(message: string) {
    super(404, message);
  }
}

export class ConflictError extends DockerError {
  constructor(message: string) {
    super(409, message);
  }
}

export class PayloadTooLargeError extends DockerError {
  constructor(message: string) {
    super(413, message);
  }
}

export class TooManyRequestsError extends DockerError {
  constructor(message: string) {
    super(429, message);
  }
}

export class SystemError extends DockerError {
  constructor(message: string) {
    super(500, message);
  }
}

export class NotImplementedError extends DockerError {
  constructor(message: string) {
    super(501, message);
  }
}

export class UnavailableError extends DockerError {
  constructor(message: string) {
    super(503, message);
  }
}
