export type * from './repos.js';
export type * from './system.js';
export type * from './cache.js';
export type * from './cipher.js';
