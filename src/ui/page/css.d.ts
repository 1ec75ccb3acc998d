// esbuild bundles imported stylesheets into app.css; for tsc they are side effects only.
declare module '*.css';
