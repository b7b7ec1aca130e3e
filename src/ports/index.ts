export type * from './repos.js';
export type * from './system.js';
