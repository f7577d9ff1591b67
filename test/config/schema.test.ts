/** The JSON Schema editors get from `hitl schema`: hover help on every key. */
import { describe, expect, it } from '@jest/globals';
import { hitlJsonSchema } from '../../src/config/schema.js';

type Node = Record<string, unknown>;

/** Every property of every object in the schema, as "a.b.c" → its schema (records' values as "*", list items as "[]"). */
function properties(node: Node, path: string, out: Map<string, Node>): Map<string, Node> {
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Node>)) {
    out.set(`${path}${key}`, child);
    properties(child, `${path}${key}.`, out);
  }
  if (typeof node.additionalProperties === 'object' && node.additionalProperties !== null) properties(node.additionalProperties as Node, `${path}*.`, out);
  if (typeof node.items === 'object' && node.items !== null) properties(node.items as Node, `${path}[].`, out);
  for (const option of (node.anyOf ?? []) as Node[]) properties(option, path, out);
  return out;
}

describe('hitl schema', () => {
  const all = properties(hitlJsonSchema(), '', new Map());

  it('describes every property, so an editor shows what each key does', () => {
    expect(all.size).toBeGreaterThan(60);
    const undescribed = [...all].filter(([, schema]) => typeof schema.description !== 'string' || schema.description.length < 10).map(([path]) => path);
    expect(undescribed).toEqual([]);
  });

  it('reaches the nested keys people write most', () => {
    for (const path of ['checkpoints.*.approver', 'triggers.*.paths', 'triggers.*.paths_ignore', 'classification.size_excluded_paths', 'bypass.emergency.allow_author', 'bypass.maintenance_windows.[].cron']) {
      expect(all.get(path)?.description).toEqual(expect.any(String));
    }
  });
});
