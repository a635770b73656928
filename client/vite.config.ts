/**
 * Vite for the browser client. `vite build` writes client/dist, which the matching server serves in
 * production. In development (`bun run dev`), Vite serves the app with hot reload and forwards the
 * server's routes (the WebSocket included) to the matching server, so the browser sees one origin.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

/** Where the matching server listens in development (scripts/dev.ts sets it). */
const server = process.env.SERENDIP_SERVER_URL ?? 'http://127.0.0.1:3001';
const forward = { target: server, changeOrigin: false };

export default defineConfig({
  root: import.meta.dirname,
  plugins: [solid()],
  resolve: {
    // nsfwjs imports all of TensorFlow.js; safe mode's worker needs only the parts in lib/safety/tf.ts.
    alias: [
      { find: /^@tensorflow\/tfjs$/, replacement: fileURLToPath(new URL('src/lib/safety/tf.ts', import.meta.url)) },
    ],
  },
  // Module workers: the classifier's loads its model as separate chunks (code splitting needs ES output).
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The big chunks all load late: livekit-client (~570 kB) when video is first wanted (lib/call.ts);
    // safe mode's worker (TensorFlow.js, ~1.6 MB) and model (~3.5 MB) when it first has a video to check.
    chunkSizeWarningLimit: 3600,
  },
  server: {
    port: Number(process.env.PORT ?? 3000),
    strictPort: true,
    proxy: {
      '/ws': { ...forward, ws: true },
      '/healthz': forward,
      '/readyz': forward,
      '/metrics': forward,
      '/livekit': forward,
      '/api': forward,
      // The admin view and its event stream (SSE) are served by the matching server too.
      '/admin': forward,
    },
  },
});
