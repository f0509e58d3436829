import { escapeHtml as esc } from './escape.js';
import { reportCss } from './style.js';

/**
 * A self-contained HTML page in the report's style: inline CSS (the report's, plus `css`), the
 * body's HTML inside <main>, nothing fetched.
 */
export function htmlPage(title: string, body: string, css = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gemmforge">
<title>${esc(title)}</title>
<style>${reportCss}${css}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
