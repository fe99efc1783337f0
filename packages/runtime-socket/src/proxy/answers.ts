import type { ServerResponse } from 'node:http';

/** A request the proxy answers itself. */
export interface Refusal {
  status: number;
  message: string;
}

/** A policy refusal (403), worded for the docker CLI to print. */
export function denied(violations: readonly string[]): Refusal {
  return { status: 403, message: policyMessage(violations) };
}

/** The message of a policy refusal. */
export function policyMessage(violations: readonly string[]): string {
  return `sandkit policy denied this request: ${violations.join('; ')}. The job's engine access is guarded; ask for what you need in the sandbox spec instead.`;
}

/** Answers with `{ message }`, as the engine words its errors. */
export function reply(res: ServerResponse, status: number, message: string): void {
  replyJson(res, status, { message });
}

/** Answers with a JSON body. */
export function replyJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
}

/** The `Id` of a create answer, when it is one. */
export function parseCreated(answer: Buffer): string | undefined {
  try {
    const { Id } = JSON.parse(answer.toString('utf8')) as { Id?: unknown };
    return typeof Id === 'string' ? Id : undefined;
  } catch {
    return undefined;
  }
}
