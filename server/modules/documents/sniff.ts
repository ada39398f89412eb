// What a client's upload really is, from its bytes: only PDF, JPEG and PNG are accepted. The type
// comes from the content (file-type), never from the name; a name whose extension claims another
// type, and a file cut short or damaged at its end, are refused with a reason the client can act on.

import { fileTypeFromBuffer } from 'file-type';

export const ACCEPTED = {
  'application/pdf': { label: 'PDF', extensions: ['pdf'] },
  'image/jpeg': { label: 'JPEG image', extensions: ['jpg', 'jpeg'] },
  'image/png': { label: 'PNG image', extensions: ['png'] },
} as const;

export type AcceptedMime = keyof typeof ACCEPTED;

export const MAX_DOCUMENT_BYTES = 15 * 1024 * 1024;

export class DocumentRefused extends Error {
  override readonly name = 'DocumentRefused';
  constructor(
    readonly code: 'EMPTY' | 'TOO_LARGE' | 'NOT_BASE64' | 'UNSUPPORTED_TYPE' | 'MISLABELLED' | 'CORRUPT',
    message: string,
  ) {
    super(message);
  }
}

/** Strict base64 (standard alphabet, padding optional): anything else is refused rather than half-decoded. */
export function decodeBase64(text: string): Buffer {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) {
    throw new DocumentRefused('NOT_BASE64', 'contentBase64 is not valid base64: send the file\u2019s bytes base64-encoded, with nothing else in the field.');
  }
  return Buffer.from(clean, 'base64');
}

function structurallyComplete(mime: AcceptedMime, bytes: Buffer): boolean {
  switch (mime) {
    case 'application/pdf':
      // A PDF ends with %%EOF (an incremental update may add a line end after it).
      return bytes.subarray(Math.max(0, bytes.length - 1024)).includes('%%EOF');
    case 'image/png':
      // The IEND chunk closes every PNG: length 0, type IEND, CRC AE426082.
      return bytes.length > 20 && bytes.subarray(bytes.length - 12).equals(Buffer.from('0000000049454e44ae426082', 'hex'));
    case 'image/jpeg': {
      // End-of-image marker, allowing trailing padding some cameras add.
      const tail = bytes.subarray(Math.max(0, bytes.length - 64));
      return tail.includes(Buffer.from([0xff, 0xd9]));
    }
  }
}

export async function sniffDocument(bytes: Buffer, fileName: string): Promise<{ mime: AcceptedMime; label: string }> {
  if (bytes.length === 0) throw new DocumentRefused('EMPTY', `${fileName} is empty: choose the file again and re-upload it.`);
  if (bytes.length > MAX_DOCUMENT_BYTES) {
    throw new DocumentRefused('TOO_LARGE', `${fileName} is ${(bytes.length / 1024 / 1024).toFixed(1)} MB; the limit is 15 MB. Scan at a lower resolution or send a compressed PDF.`);
  }
  const detected = await fileTypeFromBuffer(bytes);
  const extension = /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1]?.toLowerCase();
  if (!detected || !(detected.mime in ACCEPTED)) {
    throw new DocumentRefused(
      'UNSUPPORTED_TYPE',
      `${fileName} is ${detected ? `a ${detected.ext.toUpperCase()} file` : 'not a file type we recognise'}; only PDF, JPEG and PNG are accepted. Save or scan the document as one of those.`,
    );
  }
  const mime = detected.mime as AcceptedMime;
  const accepted = ACCEPTED[mime];
  if (extension && !(accepted.extensions as readonly string[]).includes(extension)) {
    throw new DocumentRefused('MISLABELLED', `${fileName} is named .${extension} but its content is a ${accepted.label}. Upload the original file without renaming it.`);
  }
  if (!structurallyComplete(mime, bytes)) {
    throw new DocumentRefused('CORRUPT', `${fileName} is damaged or cut short (the ${accepted.label} does not end properly). Upload it again; if it fails again, re-scan or re-save the document.`);
  }
  return { mime, label: accepted.label };
}
