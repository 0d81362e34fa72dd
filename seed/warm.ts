export const warmCache = 1; export type WarmOptions = {};
