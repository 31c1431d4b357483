import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A CloudFormation template as synthesized by the CDK (only the parts the local cloud reads). */
export interface CfnTemplate {
  Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Resources?: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
  Metadata?: Record<string, unknown>;
}

/** A stack found in a cloud assembly, with the directory its assets are relative to. */
export interface SynthesizedStack {
  /** The artifact id (the construct path of the stack). */
  artifactId: string;
  /** The CloudFormation stack name. */
  stackName: string;
  template: CfnTemplate;
  /** Directory containing the template and the `asset.<hash>` directories. */
  assemblyDir: string;
}

interface ManifestArtifact {
  type: string;
  displayName?: string;
  properties?: { templateFile?: string; stackName?: string; directoryName?: string };
}

interface Manifest {
  artifacts?: Record<string, ManifestArtifact>;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/**
 * Lists the stacks of a cloud assembly (`cdk.out`), including those of nested
 * assemblies (CDK stages), by reading `manifest.json` as the CDK CLI does.
 */
export function listStacks(assemblyDir: string): SynthesizedStack[] {
  const manifest = readJson<Manifest>(join(assemblyDir, 'manifest.json'));
  const stacks: SynthesizedStack[] = [];
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      stacks.push({
        artifactId,
        stackName: artifact.properties.stackName ?? artifactId,
        template: readJson<CfnTemplate>(join(assemblyDir, artifact.properties.templateFile)),
        assemblyDir,
      });
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...listStacks(join(assemblyDir, artifact.properties.directoryName)));
    }
  }
  return stacks;
}

/**
 * The stack to run: the one named (by stack name or artifact id), or the only one.
 * Throws with the available names otherwise, so the user knows what to pass.
 */
export function selectStack(assemblyDir: string, stackName?: string): SynthesizedStack {
  const stacks = listStacks(assemblyDir);
  const names = stacks.map((s) => s.stackName).join(', ') || '(none)';
  if (stackName) {
    const found = stacks.find((s) => s.stackName === stackName || s.artifactId === stackName);
    if (!found)
      throw new Error(`Stack "${stackName}" not found in ${assemblyDir}; stacks: ${names}`);
    return found;
  }
  const [only, ...others] = stacks;
  if (!only || others.length > 0) {
    throw new Error(
      `Expected exactly one stack in ${assemblyDir}, found: ${names}. Pass a stack name.`,
    );
  }
  return only;
}
