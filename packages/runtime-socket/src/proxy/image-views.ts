import { Transform, type TransformCallback } from 'node:stream';
import type { JobNames } from './job-names.js';

type Json = Record<string, unknown>;

/** An image's tags as the job sees them: its private tags by its names, shared tags as they are, no one else's private tags. */
export function jobTags(tags: unknown, names: JobNames): unknown {
  if (!Array.isArray(tags)) return tags;
  return tags.flatMap((tag) => (typeof tag === 'string' ? (names.jobTag(tag) ?? []) : [tag]));
}

/**
 * `GET /images/json` as the job sees it: tags as {@link jobTags} shows them,
 * a shared tag hidden where the job's private tag of that name shadows it
 * (the job's name reaches its own), and images whose every tag is another
 * job's private tag left out.
 */
export function jobImageList(list: unknown, names: JobNames): unknown {
  if (!Array.isArray(list)) return list;
  const own = new Set<string>();
  for (const image of list as Json[])
    for (const tag of Array.isArray(image.RepoTags) ? image.RepoTags : [])
      if (typeof tag === 'string' && tag !== names.jobTag(tag)) own.add(names.jobTag(tag) as string);
  return (list as Json[]).flatMap((image) => {
    const tags = Array.isArray(image.RepoTags) ? (image.RepoTags as unknown[]).map(String) : [];
    if (tags.length === 0) return [image];
    if (tags.every((tag) => names.jobTag(tag) === undefined)) return [];
    const visible = tags.flatMap((tag) => {
      const shown = names.jobTag(tag);
      return shown === undefined || (shown === tag && own.has(tag)) ? [] : [shown];
    });
    return [{ ...image, RepoTags: visible }];
  });
}

/** `GET /images/{name}/json` as the job sees it: its tags as {@link jobTags} shows them. */
export function jobImageInspect(image: unknown, names: JobNames): unknown {
  if (image === null || typeof image !== 'object' || Array.isArray(image)) return image;
  const facts = image as Json;
  return facts.RepoTags === undefined ? facts : { ...facts, RepoTags: jobTags(facts.RepoTags, names) };
}

/** `GET /images/{name}/history` as the job sees it: each step's tags as {@link jobTags} shows them. */
export function jobImageHistory(history: unknown, names: JobNames): unknown {
  if (!Array.isArray(history)) return history;
  return (history as Json[]).map((step) =>
    step !== null && typeof step === 'object' && step.Tags !== undefined
      ? { ...step, Tags: jobTags(step.Tags, names) }
      : step,
  );
}

/**
 * A pass-through for a whole JSON answer (an image list, inspect or
 * history): read to its end, parsed, handed to `view`, sent re-serialized.
 * An answer that is not JSON (there is none on these routes) goes on as it came.
 */
export function jsonView(view: (answer: unknown) => unknown): Transform {
  const chunks: Buffer[] = [];
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      chunks.push(chunk);
      done();
    },
    flush(done: TransformCallback) {
      const raw = Buffer.concat(chunks);
      try {
        done(null, `${JSON.stringify(view(JSON.parse(raw.toString('utf8'))))}\n`);
      } catch {
        done(null, raw);
      }
    },
  });
}
