import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROCEDURES } from '../shared/access/permissions.js';
import { REASONS } from '../shared/errors.js';

const api = fs.readFileSync(path.join(import.meta.dirname, '../docs/api.md'), 'utf8');

describe('docs/api.md', () => {
  it.each(Object.entries(PROCEDURES))('documents %s with its permission', (procedure, guard) => {
    const heading = new RegExp(`^### \`${procedure.replace('.', '\\.')}\` \\((query|mutation|subscription), ([^)]+)\\)$`, 'm').exec(api);
    expect(heading, `no "### \`${procedure}\` (query|mutation, permission)" heading`).not.toBeNull();
    expect(heading![2]).toBe(guard === 'authenticated' || guard === 'public' || guard === 'portal' ? guard : `\`${guard}\``);
  });

  it('lists every error reason', () => {
    for (const reason of Object.keys(REASONS)) expect(api).toContain(`\`${reason}\``);
  });
});
