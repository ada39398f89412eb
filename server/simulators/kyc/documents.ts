// Generated identity and address documents for the demo seed and the tests: a passport as a PNG
// image or a PDF scan carrying a real ICAO 9303 TD3 machine-readable zone (check digits and all),
// and a proof of address or certificate of incorporation as a PDF. The MRZ travels inside the file
// (a PNG tEXt chunk, the PDF's Keywords) where the KYC-provider simulator "reads" it, as a real
// provider reads it off the image. Simulator code: never part of a production build.

import { crc32 } from 'node:zlib';
import anyAscii from 'any-ascii';
import countries from 'i18n-iso-countries';
import PDFDocument from 'pdfkit';
import { PNG } from 'pngjs';

export interface PassportData {
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD */
  dateOfBirth: string;
  /** ISO 3166-1 alpha-2 */
  nationality: string;
  documentNumber: string;
  /** YYYY-MM-DD */
  expiresAt: string;
  sex?: 'M' | 'F' | '<';
}

const CHAR_VALUE = (c: string): number => (c === '<' ? 0 : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 55);

/** ICAO 9303 check digit: weights 7, 3, 1 repeating, modulo 10. */
export function mrzCheckDigit(field: string): string {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < field.length; i++) sum += CHAR_VALUE(field[i]!) * weights[i % 3]!;
  return String(sum % 10);
}

function mrzText(value: string): string {
  return anyAscii(value)
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '<');
}

const pad = (s: string, n: number) => s.slice(0, n).padEnd(n, '<');
const yymmdd = (isoDate: string) => isoDate.slice(2, 4) + isoDate.slice(5, 7) + isoDate.slice(8, 10);

export function alpha3(code: string): string {
  const a3 = countries.alpha2ToAlpha3(code);
  if (!a3) throw new Error(`${code} is not an ISO 3166-1 alpha-2 code`);
  return a3;
}

/** The two 44-character lines of a TD3 (passport) machine-readable zone. */
export function passportMrz(p: PassportData): [string, string] {
  const state = alpha3(p.nationality);
  const line1 = pad(`P<${state}${mrzText(p.lastName)}<<${mrzText(p.firstName)}`, 44);
  const number = pad(mrzText(p.documentNumber), 9);
  const dob = yymmdd(p.dateOfBirth);
  const expiry = yymmdd(p.expiresAt);
  const personal = pad('', 14);
  const body = `${number}${mrzCheckDigit(number)}${state}${dob}${mrzCheckDigit(dob)}${p.sex ?? '<'}${expiry}${mrzCheckDigit(expiry)}${personal}${mrzCheckDigit(personal)}`;
  const composite = mrzCheckDigit(body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 43));
  return [line1, body + composite];
}

/** Inserts a tEXt chunk right after a PNG's IHDR. */
function withTextChunk(png: Buffer, keyword: string, text: string): Buffer {
  const data = Buffer.from(`${keyword}\0${text}`, 'latin1');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(Buffer.concat([Buffer.from('tEXt', 'latin1'), data])) >>> 0, 8 + data.length);
  const ihdrEnd = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk, png.subarray(ihdrEnd)]);
}

/** A passport data page as a PNG: a card with a photo block, text bars and the MRZ band. */
export function passportPng(p: PassportData): Buffer {
  const width = 420;
  const height = 280;
  const png = new PNG({ width, height });
  const seed = [...p.documentNumber].reduce((s, c) => s + c.charCodeAt(0), 0);
  const fill = (x0: number, y0: number, w: number, h: number, [r, g, b]: [number, number, number]) => {
    for (let y = y0; y < Math.min(height, y0 + h); y++) {
      for (let x = x0; x < Math.min(width, x0 + w); x++) {
        const i = (width * y + x) << 2;
        png.data[i] = r;
        png.data[i + 1] = g;
        png.data[i + 2] = b;
        png.data[i + 3] = 255;
      }
    }
  };
  fill(0, 0, width, height, [226, 232, 240]);
  fill(0, 0, width, 36, [30, 58, 95]);
  fill(18, 52, 110, 140, [120 + (seed % 60), 110 + (seed % 40), 100]);
  for (let i = 0; i < 6; i++) fill(145, 56 + i * 22, 150 + ((seed * (i + 3)) % 100), 10, [71, 85, 105]);
  fill(0, 206, width, 74, [248, 250, 252]);
  for (let row = 0; row < 2; row++) for (let c = 0; c < 44; c++) fill(12 + c * 9, 220 + row * 26, 6, 14, [15, 23, 42]);
  const bytes = PNG.sync.write(png);
  return withTextChunk(bytes, 'MRZ', passportMrz(p).join('\n'));
}

function pdfBuffer(build: (doc: PDFKit.PDFDocument) => void, info: { Title: string; Keywords?: string }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 56, info: { ...info, Producer: 'fx-backoffice simulator', CreationDate: new Date(Date.UTC(2026, 0, 1)) } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    build(doc);
    doc.end();
  });
}

/** A passport scan as a PDF: the data page printed as text, the MRZ in Courier and in the Keywords. */
export function passportPdf(p: PassportData): Promise<Buffer> {
  const mrz = passportMrz(p);
  return pdfBuffer(
    (doc) => {
      doc.fontSize(18).text('PASSPORT', { align: 'left' });
      doc.moveDown().fontSize(11);
      for (const [label, value] of [
        ['Surname', p.lastName],
        ['Given names', p.firstName],
        ['Nationality', alpha3(p.nationality)],
        ['Date of birth', p.dateOfBirth],
        ['Passport No.', p.documentNumber],
        ['Date of expiry', p.expiresAt],
      ] as const) {
        doc.text(`${label}: ${value}`);
      }
      doc.moveDown(2).font('Courier').fontSize(11).text(mrz[0]).text(mrz[1]);
    },
    { Title: 'Passport scan', Keywords: `MRZ ${mrz.join(' ')}` },
  );
}

export function proofOfAddressPdf(a: { name: string; address: string; issuedAt: string; issuer?: string }): Promise<Buffer> {
  return pdfBuffer(
    (doc) => {
      doc.fontSize(16).text(a.issuer ?? 'Aphrodite Electricity Authority');
      doc.moveDown().fontSize(11).text(`Statement date: ${a.issuedAt}`).text(`Account holder: ${a.name}`).text(`Supply address: ${a.address}`);
      doc.moveDown().text('Amount due: EUR 84.20. Thank you for your payment.');
    },
    { Title: 'Utility bill' },
  );
}

export function companyCertificatePdf(c: { companyName: string; number: string; country: string; incorporatedAt: string }): Promise<Buffer> {
  return pdfBuffer(
    (doc) => {
      doc.fontSize(18).text('Certificate of Incorporation', { align: 'center' });
      doc.moveDown().fontSize(12).text(`This is to certify that ${c.companyName} is incorporated under the laws of ${countries.getName(c.country, 'en') ?? c.country}`, { align: 'center' });
      doc.moveDown().text(`Company number ${c.number}, incorporated on ${c.incorporatedAt}.`, { align: 'center' });
    },
    { Title: 'Certificate of incorporation' },
  );
}

export function sourceOfWealthPdf(s: { name: string; summary: string }): Promise<Buffer> {
  return pdfBuffer(
    (doc) => {
      doc.fontSize(16).text('Source of wealth declaration and evidence');
      doc.moveDown().fontSize(11).text(`Client: ${s.name}`).moveDown().text(s.summary);
    },
    { Title: 'Source of wealth' },
  );
}

/** Reads the MRZ a generated document carries (PNG tEXt "MRZ", or a PDF's Keywords), or null. */
export function embeddedMrz(bytes: Buffer): string[] | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    let at = 8;
    while (at + 8 <= bytes.length) {
      const length = bytes.readUInt32BE(at);
      const type = bytes.toString('latin1', at + 4, at + 8);
      if (type === 'tEXt') {
        const data = bytes.toString('latin1', at + 8, at + 8 + length);
        const [keyword, text] = data.split('\0');
        if (keyword === 'MRZ' && text) return text.split('\n');
      }
      if (type === 'IEND') break;
      at += 12 + length;
    }
    return null;
  }
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') {
    // pdfkit writes the info strings as indirect objects: `15 0 obj\n(MRZ … …)`.
    const m = /\(MRZ ([A-Z0-9<]{44}) ([A-Z0-9<]{44})\)/.exec(bytes.toString('latin1'));
    return m ? [m[1]!, m[2]!] : null;
  }
  return null;
}

