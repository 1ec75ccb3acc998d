// The dashboard's single page: the bundled script and styles (built by scripts/build-ui.ts into
// dist/ui/assets/) inlined into one HTML answer, so the page needs nothing else from anywhere.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface PageAssets {
  readonly js: string;
  readonly css: string;
}

/** Beside the compiled server (dist/ui/assets), or the built copy when running from src/ (tests). */
const CANDIDATES = ['./assets/', '../../dist/ui/assets/'];

export function loadPageAssets(): PageAssets | undefined {
  for (const dir of CANDIDATES) {
    const js = fileURLToPath(new URL(`${dir}app.js`, import.meta.url));
    const css = fileURLToPath(new URL(`${dir}app.css`, import.meta.url));
    if (existsSync(js) && existsSync(css))
      return { js: readFileSync(js, 'utf8'), css: readFileSync(css, 'utf8') };
  }
  return undefined;
}

export function pageHtml(assets: PageAssets, project: string, nonce: string): string {
  // `</script` inside the bundle would end the element early; esbuild escapes it, this makes sure.
  const js = assets.js.replace(/<\/script/gi, '<\\/script');
  const title = project.replace(/[<>&"]/g, '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${title} · mkdev</title>
<style nonce="${nonce}">${assets.css}</style>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}">${js}</script>
</body>
</html>
`;
}
