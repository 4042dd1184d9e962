// ESLint for the web app (scripts/lint runs it with --max-warnings 0): Next.js' recommended rules
// with Core Web Vitals and the TypeScript rules, flat config (eslint-config-next 16).
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // The app is a static export: pages load their data in an effect (`useEffect(() => { void
      // load(); }, [load])`), where load() sets a loading/error state before it awaits. The rule
      // (new in react-hooks 7, aimed at the React Compiler) flags exactly that accepted pattern.
      "react-hooks/set-state-in-effect": "off",
    },
  },
  globalIgnores([".next/**", "out/**", "node_modules/**", "next-env.d.ts"]),
]);
