/** The credentials a request is signed with. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present with temporary credentials (a Lambda function's role always has one). */
  sessionToken?: string;
}

/**
 * The credentials in the environment: what Lambda gives a function for its role (and
 * what LocalStack and the local cloud give theirs). Read on every call rather than
 * once, so a runtime that rotates them in the environment is followed at once; reading
 * three variables costs nothing next to a request.
 *
 * @throws when the access key or the secret is missing, naming the variables to set.
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      'No AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials). Lambda sets them for the function role.',
    );
  }
  const sessionToken = env.AWS_SESSION_TOKEN;
  return sessionToken
    ? { accessKeyId, secretAccessKey, sessionToken }
    : { accessKeyId, secretAccessKey };
}
