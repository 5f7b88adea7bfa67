import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The API server `npm run dev` proxies to (start it with ./scripts/dev or `atlas serve`).
const api = process.env.ATLAS_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    // Keep dist/.gitkeep so `go build` works on a fresh clone (web/embed.go embeds dist).
    emptyOutDir: false,
    assetsDir: 'assets',
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': api,
      '/openapi.json': api,
      '/docs': api,
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    testTimeout: 30_000,
  },
});
