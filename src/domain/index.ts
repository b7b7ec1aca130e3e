export * from './errors.js';
export * from './records/records.js';
export * from './email/email.js';
export * from './fields/limits.js';
export * from './fields/record-spec.js';
export * from './specs/core.js';
