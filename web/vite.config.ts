import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The web console, built into web/dist and served by the service itself under /console/
 * (src/features/console). `npm run build:web`; `npm run dev:web` proxies the API to a running service.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Each page's code is its own chunk (React.lazy): the agent desktop does not carry ECharts.
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': { target: process.env.API_URL ?? 'http://127.0.0.1:3000', ws: true },
      '/docs': process.env.API_URL ?? 'http://127.0.0.1:3000',
    },
  },
});
