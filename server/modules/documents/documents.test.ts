import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/harness.js';
import { DocumentRefused, sniffDocument } from './sniff.js';
import { DocumentStore } from './store.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'), randomBytes(64), Buffer.from([0xff, 0xd9])]);

describe('document sniffing', () => {
  it('accepts PDF, JPEG and PNG by their bytes, whatever the case of the extension', async () => {
    expect(await sniffDocument(PNG, 'scan.PNG')).toEqual({ mime: 'image/png', label: 'PNG image' });
    expect(await sniffDocument(JPEG, 'photo.jpeg')).toEqual({ mime: 'image/jpeg', label: 'JPEG image' });
    expect(await sniffDocument(Buffer.from('%PDF-1.7\n...\n%%EOF\r\n'), 'statement')).toEqual({ mime: 'application/pdf', label: 'PDF' });
  });

  it('refuses a JPEG without its end marker and a PDF without %%EOF as damaged', async () => {
    await expect(sniffDocument(JPEG.subarray(0, JPEG.length - 2), 'photo.jpg')).rejects.toMatchObject({ code: 'CORRUPT' });
    await expect(sniffDocument(Buffer.from('%PDF-1.7\n1 0 obj'), 'statement.pdf')).rejects.toBeInstanceOf(DocumentRefused);
  });
});

describe('the document store', () => {
  it('stores once per content, encrypted, and refuses a file that was altered', () => {
    const dir = tempDir();
    const store = DocumentStore.open(dir);
    const sha = store.put(PNG);
    expect(store.put(PNG)).toBe(sha);
    expect(store.get(sha).equals(PNG)).toBe(true);
    const file = path.join(dir, 'documents', sha.slice(0, 2), sha.slice(2, 4), `${sha}.enc`);
    const raw = fs.readFileSync(file);
    expect(raw.includes(PNG.subarray(12, 30))).toBe(false);
    raw[raw.length - 1]! ^= 1;
    fs.writeFileSync(file, raw);
    expect(() => store.get(sha)).toThrow();
    expect(() => DocumentStore.open(tempDir()).get(sha)).toThrow();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
