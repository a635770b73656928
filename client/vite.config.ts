/**
 * Vite for the browser client. `vite build` writes client/dist, which the matching server serves in
 * production. In development (`bun run dev`), Vite serves the app with hot reload and forwards the
 * server's routes (the WebSocket included) to the matching server, so the browser sees one origin.
 */
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

/** Where the matching server listens in development (scripts/dev.ts sets it). */
const server = process.env.SERENDIP_SERVER_URL ?? 'http://127.0.0.1:3001';
const forward = { target: server, changeOrigin: false };

export default defineConfig({
  root: import.meta.dirname,
  plugins: [solid()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // livekit-client is one ~570 kB chunk, loaded only when video is first wanted (see lib/call.ts).
    chunkSizeWarningLimit: 700,
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
      // The admin view and its event stream (SSE) are served by the matching server too.
      '/admin': forward,
    },
  },
});
