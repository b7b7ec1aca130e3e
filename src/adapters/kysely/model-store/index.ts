export { KyselyModelStore, schemaChanged } from './kysely-model-store.js';
