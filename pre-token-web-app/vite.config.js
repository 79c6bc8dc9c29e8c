// Vite serves the demo on http://localhost:8081, the callback URL registered by stackInputs.json.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig({
  plugins: [react()],
  server: { host: "localhost", port: 8081, strictPort: true },
  preview: { host: "localhost", port: 8081, strictPort: true },
  test: { environment: "jsdom", include: ["src/**/*.test.{js,jsx}"] },
});
