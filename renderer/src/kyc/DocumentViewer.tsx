// A client's document as the reviewer sees it: images as they are, PDFs drawn page by page with
// pdf.js into canvases (the window's content policy allows no plugins or frames). The bytes come
// from the host on request and are not kept after the viewer closes.

import { useEffect, useRef, useState } from 'react';
import * as pdfjs from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import type { ChannelOutput } from '../../../main/host/channels.js';
import { PaneStatus, useHostQuery } from '../shared/host.js';

pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;

type DocumentFile = ChannelOutput<'kyc.document'>;

function bytesOf(base64: string): Uint8Array {
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function PdfPages({ data }: { data: Uint8Array }) {
  const holder = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    const task = pdfjs.getDocument({ data: data.slice(), isEvalSupported: false });
    void (async () => {
      try {
        const pdf = await task.promise;
        for (let n = 1; n <= Math.min(pdf.numPages, 10) && !cancelled; n++) {
          const page = await pdf.getPage(n);
          const viewport = page.getViewport({ scale: 1 });
          const canvas = document.createElement('canvas');
          canvas.width = viewport.width;
          canvas.height = viewport.height;
          canvas.setAttribute('aria-label', `Page ${n} of ${pdf.numPages}`);
          holder.current?.appendChild(canvas);
          await page.render({ canvas, canvasContext: canvas.getContext('2d') ?? undefined, viewport }).promise;
        }
      } catch (e) {
        if (!cancelled) setError(`The PDF cannot be shown: ${(e as Error).message}`);
      }
    })();
    return () => {
      cancelled = true;
      void task.destroy();
    };
  }, [data]);
  return error ? <p className="error">{error}</p> : <div className="pdf-pages" ref={holder} />;
}

export function DocumentViewer({ documentId, onClose }: { documentId: string; onClose: () => void }) {
  const document = useHostQuery('kyc.document', { documentId }, [documentId]);
  const file: DocumentFile | null = document.data;
  return (
    <section className="viewer" aria-label={`Document ${documentId}`}>
      <header>
        <strong>{file ? `${documentId} · ${file.fileName}` : documentId}</strong>
        <button className="link" onClick={onClose}>
          Close document
        </button>
      </header>
      <PaneStatus loading={!file} error={document.error} what={documentId} />
      {file && file.mime === 'application/pdf' && <PdfPages data={bytesOf(file.contentBase64)} />}
      {file && file.mime !== 'application/pdf' && <img alt={`${file.fileName}`} src={`data:${file.mime};base64,${file.contentBase64}`} />}
      {file && <p className="hint mono">SHA-256 {file.sha256}</p>}
    </section>
  );
}
