// Single-file components, for the theme's TypeScript (the components' own types are checked by
// Vue's compiler when VitePress builds them).
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

// Vite's `?url` imports (an asset's served URL), as in vite/client.
declare module '*?url' {
  const url: string;
  export default url;
}
