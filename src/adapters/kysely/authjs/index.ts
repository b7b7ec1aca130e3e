export { KyselyAuthjsStore } from './store.js';
export { AUTHJS_LAYOUTS, type AuthjsLayout, type AuthjsLayoutName } from './layout.js';
