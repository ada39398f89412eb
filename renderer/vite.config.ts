// Builds the renderer into out/renderer: static files the Electron app loads from its custom
// protocol and the headless host serves. No remote content: everything is bundled.

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: { outDir: '../out/renderer', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 4000 },
});
