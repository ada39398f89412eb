// The evidence pack's report.pdf (pdfkit): what a person reads before or instead of running the
// verifier. A cover with the subject, the exporter, the chain positions and how to verify; tables
// (documents with their SHA-256, policy versions, role grants, the operation's facts); then the
// timeline, one event per entry with its sequence number, actor, reason, policy and hash. Every page
// is numbered "page x of y" with the subject, so a printed page is never orphaned.

import PDFDocument from 'pdfkit';

export interface ReportTable {
  heading: string;
  columns: Array<{ label: string; width: number }>;
  rows: string[][];
  empty: string;
}

export interface ReportEvent {
  seq: number;
  at: string;
  action: string;
  actor: string;
  target: string;
  details: string[];
  hash: string;
}

export interface ReportInput {
  title: string;
  subjectLine: string;
  facts: Array<[string, string]>;
  tables: ReportTable[];
  events: ReportEvent[];
  verifyHint: string;
}

const MARGIN = 48;
const INK = '#1b2430';
const MUTED = '#5b6675';
const RULE = '#c9d1dc';

function heading(doc: PDFKit.PDFDocument, text: string): void {
  if (doc.y > doc.page.height - MARGIN - 80) doc.addPage();
  doc.moveDown(0.8).font('Helvetica-Bold').fontSize(12).fillColor(INK).text(text, MARGIN);
  const y = doc.y + 2;
  doc.moveTo(MARGIN, y).lineTo(doc.page.width - MARGIN, y).strokeColor(RULE).lineWidth(0.7).stroke();
  doc.moveDown(0.5);
}

function table(doc: PDFKit.PDFDocument, t: ReportTable): void {
  heading(doc, t.heading);
  if (t.rows.length === 0) {
    doc.font('Helvetica-Oblique').fontSize(9).fillColor(MUTED).text(t.empty, MARGIN);
    return;
  }
  const header = (): void => {
    let x = MARGIN;
    const y = doc.y;
    doc.font('Helvetica-Bold').fontSize(8).fillColor(MUTED);
    for (const c of t.columns) {
      doc.text(c.label, x, y, { width: c.width - 6 });
      x += c.width;
    }
    doc.y = y + 12;
  };
  header();
  doc.font('Helvetica').fontSize(8).fillColor(INK);
  for (const row of t.rows) {
    const height = Math.max(...row.map((cell, i) => doc.heightOfString(cell, { width: t.columns[i]!.width - 6 })));
    if (doc.y + height > doc.page.height - MARGIN - 20) {
      doc.addPage();
      header();
      doc.font('Helvetica').fontSize(8).fillColor(INK);
    }
    const y = doc.y;
    let x = MARGIN;
    for (const [i, cell] of row.entries()) {
      doc.text(cell, x, y, { width: t.columns[i]!.width - 6 });
      x += t.columns[i]!.width;
    }
    doc.y = y + height + 4;
  }
  doc.x = MARGIN;
}

function timeline(doc: PDFKit.PDFDocument, events: readonly ReportEvent[]): void {
  heading(doc, `Timeline (${events.length} event${events.length === 1 ? '' : 's'}, in chain order)`);
  const width = doc.page.width - 2 * MARGIN;
  for (const e of events) {
    const body = [`${e.actor} · ${e.target}`, ...e.details].join('\n');
    doc.font('Helvetica').fontSize(8);
    const height = 11 + doc.heightOfString(body, { width: width - 70 }) + 10;
    if (doc.y + height > doc.page.height - MARGIN - 20) doc.addPage();
    const y = doc.y;
    doc.font('Helvetica-Bold').fontSize(8).fillColor(INK).text(`#${e.seq}`, MARGIN, y, { width: 64 });
    doc.font('Helvetica').fillColor(MUTED).text(e.at.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC'), MARGIN, y + 10, { width: 64 });
    doc.font('Helvetica-Bold').fillColor(INK).text(e.action, MARGIN + 70, y, { width: width - 70 });
    doc.font('Helvetica').fillColor(INK).text(body, MARGIN + 70, doc.y, { width: width - 70 });
    doc.fillColor(MUTED).fontSize(7).text(`hash ${e.hash}`, MARGIN + 70, doc.y, { width: width - 70 });
    doc.y += 6;
  }
}

/** The report as PDF bytes. Deterministic for the same input (fixed creation date: the export's time). */
export function renderReport(input: ReportInput, at: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: MARGIN, bufferPages: true, info: { Title: input.title, Subject: input.subjectLine, Producer: 'fx-backoffice evidence pack', CreationDate: new Date(at) } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    doc.font('Helvetica-Bold').fontSize(18).fillColor(INK).text(input.title, MARGIN, MARGIN);
    doc.moveDown(0.3).font('Helvetica').fontSize(10).fillColor(MUTED).text(input.subjectLine);
    doc.moveDown(0.8);
    for (const [label, value] of input.facts) {
      const y = doc.y;
      doc.font('Helvetica-Bold').fontSize(9).fillColor(MUTED).text(label, MARGIN, y, { width: 150 });
      doc.font('Helvetica').fontSize(9).fillColor(INK).text(value, MARGIN + 156, y, { width: doc.page.width - 2 * MARGIN - 156 });
      doc.y = Math.max(doc.y, y + 12) + 2;
    }
    doc.moveDown(0.6).font('Helvetica-Oblique').fontSize(8.5).fillColor(MUTED).text(input.verifyHint, MARGIN, doc.y, { width: doc.page.width - 2 * MARGIN });
    for (const t of input.tables) table(doc, t);
    timeline(doc, input.events);

    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i += 1) {
      doc.switchToPage(i);
      // Written below the bottom margin: without this pdfkit would start a new page for the footer.
      doc.page.margins.bottom = 0;
      const y = doc.page.height - MARGIN + 14;
      doc.font('Helvetica').fontSize(7).fillColor(MUTED);
      doc.text(input.subjectLine, MARGIN, y, { width: 360, lineBreak: false, height: 10 });
      doc.text(`Page ${i + 1} of ${range.count}`, doc.page.width - MARGIN - 100, y, { width: 100, align: 'right', lineBreak: false, height: 10 });
    }
    doc.end();
  });
}
