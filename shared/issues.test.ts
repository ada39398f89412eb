import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { issueSentence, issuesText } from './issues.js';

const problems = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('expected a problem');
  return r.error.issues;
};

describe('validation problems as sentences', () => {
  it('numbers an item of a list from 1 and names its field', () => {
    const parties = z.object({ parties: z.array(z.object({ firstName: z.string().min(1) })) });
    expect(issuesText(problems(parties, { parties: [{ firstName: 'A' }, { firstName: '' }] }))).toBe('Parties 2, first name is required.');
  });

  const form = z.object({
    documentTypes: z.array(z.string()).min(1),
    note: z.string().trim().min(1).max(20),
    policyBasis: z.string().trim().min(3, 'name the policy or rule the approval rests on'),
    sourceOfFunds: z.enum(['employment', 'business']),
  });

  it('names the field by its label and says what to do, with no path or validator wording', () => {
    const text = issuesText(problems(form, { documentTypes: [], note: '', policyBasis: 'ok', sourceOfFunds: 'lottery' }));
    expect(text).toBe('Documents to request: choose at least one. Note is required. Policy basis: name the policy or rule the approval rests on.');
    expect(text).not.toMatch(/documentTypes|Too small|expected array|>=/);
  });

  it('spells out fields it has no label for and says when something is missing or too long', () => {
    expect(issueSentence(problems(form, { documentTypes: ['a'], note: 'x'.repeat(21), policyBasis: 'AML 4.2', sourceOfFunds: 'lottery' })[0]!)).toBe('Note can be at most 20 characters.');
    expect(issuesText(problems(form, { documentTypes: ['a'], note: 'n', policyBasis: 'AML 4.2', sourceOfFunds: 'lottery' }))).toBe('Source of funds: choose one of the options offered.');
    expect(issueSentence(problems(form, { note: 'n', policyBasis: 'AML 4.2', sourceOfFunds: 'business' })[0]!)).toBe('Documents to request is required.');
  });
});
