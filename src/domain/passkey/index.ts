export * from './records.js';
export * from './rules.js';
export * from './crate-ids.js';
