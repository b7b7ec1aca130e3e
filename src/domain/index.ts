export * from './errors.js';
export * from './records.js';
export * from './email.js';
export * from './limits.js';
export * from './record-spec.js';
export * from './specs/core.js';
