/** A Step Functions API error, named like the AWS one (`__type` on the wire, HTTP 400). */
export class StepFunctionsApiError extends Error {
  readonly statusCode: number;
  constructor(type: string, message: string, statusCode = 400) {
    super(message);
    this.name = type;
    this.statusCode = statusCode;
  }
}
