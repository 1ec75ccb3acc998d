// The dashboard's single page: the bundled script and styles (built by scripts/build-ui.ts into
// dist/ui/assets/) inlined into one HTML answer, so the page needs nothing else from anywhere.
import { existsSync, readFileSync } from 'node:fs';
import { packagePath } from '../package-root.ts';

export interface PageAssets {
  readonly js: string;
  readonly css: string;
}

/** Built into the package's dist/ui/assets, whether the server runs from dist/ or from src/ (tests). */
export function loadPageAssets(): PageAssets | undefined {
  const js = packagePath('dist', 'ui', 'assets', 'app.js');
  const css = packagePath('dist', 'ui', 'assets', 'app.css');
  if (!existsSync(js) || !existsSync(css)) return undefined;
  return { js: readFileSync(js, 'utf8'), css: readFileSync(css, 'utf8') };
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
